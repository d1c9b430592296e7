import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')

export interface ServedConsole {
  /** Where the console is served, e.g. http://127.0.0.1:41234/ */
  readonly url: string
  readonly port: number
  /** Its own data folder: no connections, default settings, no history when it starts. */
  readonly dataDir: string
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>
}

/**
 * `headcount serve` as an operator runs it, on a free port over a fresh data folder; resolves once it
 * prints its URL. Its log goes to this process's stderr, so a failing test shows what it said.
 */
export async function serveConsole(): Promise<ServedConsole> {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-e2e-'))
  const env = { ...process.env }
  delete env.HEADCOUNT_TOKEN
  delete env.HEADCOUNT_DATA
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--data', dataDir], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  let url: string | null = null
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    url = /^Headcount web UI: (\S+)$/.exec(line)?.[1] ?? null
    if (url) break
  }
  if (!url) {
    await stop()
    throw new Error(`headcount serve exited (code ${child.exitCode}) before printing its URL`)
  }
  child.stdout?.resume()
  return { url, port: Number(new URL(url).port), dataDir, stop }
}

/**
 * Hands each test a server of its own, starting the next one while the current test runs, so a test
 * does not wait for a process to start (about a second on a busy machine).
 */
export class ConsoleServers {
  private spare: Promise<ServedConsole> | null = null

  private startSpare(): void {
    const next = serveConsole()
    // Awaited by the next take(); until then a failure must not count as unhandled.
    next.catch(() => {})
    this.spare = next
  }

  async take(): Promise<ServedConsole> {
    const server = this.spare ?? serveConsole()
    this.startSpare()
    return server
  }

  async close(): Promise<void> {
    const spare = this.spare
    this.spare = null
    await spare?.then((server) => server.stop()).catch(() => {})
  }
}
