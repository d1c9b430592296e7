import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')

export interface ServedConsole {
  /** Where the console is served, as printed: e.g. http://127.0.0.1:41234/ (with ?token=… when it has one). */
  readonly url: string
  readonly port: number
  /** Its own data folder: no connections, default settings, no history when it starts. */
  readonly dataDir: string
  /** The certificate's fingerprint `serve` printed, when it serves over TLS. */
  readonly fingerprint: string | null
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>
}

export interface ServeOptions {
  token?: string
  /** PEM files: `--tls-cert` and `--tls-key`. */
  tls?: { certFile: string; keyFile: string }
  /** A port to listen on (a test that restarts a server on the same port); default: a free one. */
  port?: number
  /** A data folder to reuse (not removed by stop()); default: a fresh one. */
  dataDir?: string
}

/**
 * `headcount serve` as an operator runs it, on a free port over a fresh data folder; resolves once it
 * prints its URL. Its log goes to this process's stderr, so a failing test shows what it said.
 */
export async function serveConsole(options: ServeOptions = {}): Promise<ServedConsole> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'headcount-e2e-'))
  const env = { ...process.env }
  delete env.HEADCOUNT_TOKEN
  delete env.HEADCOUNT_DATA
  const args = [BIN, 'serve', '--http-port', String(options.port ?? 0), '--data', dataDir]
  if (options.token) args.push('--token', options.token)
  if (options.tls) args.push('--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile)
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
  let url: string | null = null
  let fingerprint: string | null = null
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    url ??= /^Headcount web UI: (\S+)$/.exec(line)?.[1] ?? null
    fingerprint = /^TLS certificate SHA-256 fingerprint: (\S+)$/.exec(line)?.[1] ?? null
    if (url && (fingerprint || !options.tls)) break
  }
  if (!url) {
    await stop()
    throw new Error(`headcount serve exited (code ${child.exitCode}) before printing its URL`)
  }
  child.stdout?.resume()
  return { url, port: Number(new URL(url).port), dataDir, fingerprint, stop }
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
