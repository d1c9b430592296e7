import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { findElectronBinary } from '../../src/cli/electron-binary.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')
const children: ChildProcess[] = []
const dirs: string[] = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function run(args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-cli-'))
  dirs.push(dataDir)
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HEADCOUNT_DATA: dataDir }, stdio: 'pipe' })
  children.push(child)
  const stderr: string[] = []
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  return { child, stderr, dataDir }
}

async function readLines(child: ChildProcess, count: number): Promise<string[]> {
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of reader) {
    lines.push(line)
    if (lines.length === count) break
  }
  return lines
}

async function firstLine(child: ChildProcess): Promise<string> {
  const [line] = await readLines(child, 1)
  return line as string
}

describe('headcount serve', () => {
  it('prints the URL once ready, serves the API there, and stops cleanly on SIGTERM', async () => {
    const { child } = run(['serve', '--http-port', '0'])
    const line = await firstLine(child)
    const url = line.match(/^Headcount web UI: (http:\/\/127\.0\.0\.1:\d+\/)$/)?.[1]
    expect(url, line).toBeDefined()
    const response = await fetch(url as string)
    expect([200, 503]).toContain(response.status) // 503 only when the UI has not been built
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })

  it('fails with one line and exit code 1 when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const { child, stderr } = run(['serve', '--http-port', String(port)])
    const [code] = await once(child, 'exit')
    blocker.close()
    expect(code).toBe(1)
    expect(stderr.join('')).toMatch(new RegExp(`^headcount serve: Port ${port} on 127.0.0.1 is already in use`))
  })

  it('generates and prints an access token when bound beyond loopback', async () => {
    const { child } = run(['serve', '--http-port', '0', '--listen', '0.0.0.0'])
    const line = await firstLine(child)
    expect(line).toMatch(/^Headcount web UI: http:\/\/0\.0\.0\.0:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
    child.kill('SIGINT')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })
})

describe('headcount with no command', () => {
  // Where Electron is installed this would open the desktop app; the smoke test covers that case.
  it.skipIf(findElectronBinary().available)('says in one line that Electron is missing and serves web mode instead', async () => {
    const { child } = run(['--http-port', '0'])
    const [notice, ready] = await readLines(child, 2)
    expect(notice).toMatch(/^Electron is not available here \(.+\); serving the same console in web mode instead\.$/)
    expect(ready).toMatch(/^Headcount web UI: http:\/\/127\.0\.0\.1:\d+\/$/)
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })
})
