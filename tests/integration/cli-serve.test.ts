import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
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

function run(args: string[], dataDir = mkdtempSync(join(tmpdir(), 'headcount-cli-'))) {
  dirs.push(dataDir)
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, HEADCOUNT_DATA: dataDir },
    stdio: 'pipe',
  })
  children.push(child)
  const stderr: string[] = []
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  return { child, stderr, dataDir }
}

/** The exit code, or a failure (not a hung test) if the process is still running after `seconds`. */
async function exitCode(child: ChildProcess, seconds = 20): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${seconds} s`)), seconds * 1000)
  })
  try {
    const [code] = (await Promise.race([once(child, 'exit'), hung])) as [number | null]
    return code
  } finally {
    clearTimeout(timer)
  }
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

  it('refuses a page that rebinds its own name to 127.0.0.1, and still serves its own address', async () => {
    const { ApiSocket } = await import('./helpers/web-mode.ts')
    const { child } = run(['serve', '--http-port', '0'])
    const url = (await firstLine(child)).match(/(http:\/\/127\.0\.0\.1:(\d+))\//)
    const [, base, port] = url as RegExpMatchArray
    const api = `${(base as string).replace('http', 'ws')}/api`
    const evil = `evil.example:${port}`
    await expect(ApiSocket.open(api, { Host: evil, Origin: `http://${evil}` })).rejects.toThrow(/HTTP 421/)
    const own = await ApiSocket.open(api, { Host: `localhost:${port}`, Origin: `http://localhost:${port}` })
    expect(await own.call(1, 'profiles.list')).toMatchObject({ result: { ok: true } })
    own.close()
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
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

describe('headcount serve when it cannot start', () => {
  it('says why in one line and exits 1 when the data folder cannot be made', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'headcount-cli-'))
    writeFileSync(join(parent, 'a-file'), 'not a folder')
    const { child, stderr } = run(['serve', '--http-port', '0', '--data', join(parent, 'a-file', 'data')], parent)
    expect(await exitCode(child)).toBe(1)
    const text = stderr.join('')
    expect(text).toMatch(/^headcount serve: The data folder .*a-file\/data cannot be used: .*ENOTDIR.*\n$/)
    expect(text.trimEnd().split('\n')).toHaveLength(1)
  })

  it('says in one line that an address to listen on does not exist', async () => {
    const { child, stderr } = run(['serve', '--http-port', '0', '--listen', 'nowhere.invalid', '--token', 'x'])
    expect(await exitCode(child)).toBe(1)
    expect(stderr.join('')).toBe('headcount serve: Cannot bind nowhere.invalid: no such address on this machine\n')
  })

  it('closes what it opened and exits 1, in one line, when the connection given cannot start', async () => {
    const { startEmulator } = await import('../../src/emulator/index.ts')
    const emulator = await startEmulator()
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'headcount-cli-'))
      writeFileSync(join(dataDir, 'history'), 'a file where the history folder should be')
      const { child, stderr } = run(['serve', '--http-port', '0', '--url', emulator.url], dataDir)
      expect(await exitCode(child)).toBe(1)
      const text = stderr.join('')
      expect(text).toMatch(/^headcount serve: The history file .* could not be opened/)
      expect(text.trimEnd().split('\n')).toHaveLength(1)
      expect(text).not.toContain(emulator.secret)
    } finally {
      await emulator.close()
    }
  })
})

describe('headcount serve with a damaged secrets.json', () => {
  it('keeps the file aside, starts, and never shows what was in it', async () => {
    const { startEmulator } = await import('../../src/emulator/index.ts')
    const { ApiSocket } = await import('./helpers/web-mode.ts')
    const emulator = await startEmulator({ secret: 'Zq7hunter2wobbleK9x' })
    try {
      // A first run saves the connection and its secret; then the file is cut short, as a crash of
      // another tool or a bad hand edit would leave it.
      const first = run(['serve', '--http-port', '0', '--url', emulator.url])
      await firstLine(first.child)
      first.child.kill('SIGTERM')
      expect(await exitCode(first.child)).toBe(0)
      const secretsPath = join(first.dataDir, 'secrets.json')
      const saved = readFileSync(secretsPath, 'utf8')
      expect(saved).toContain(emulator.secret)
      writeFileSync(secretsPath, saved.slice(0, saved.indexOf(emulator.secret) + 8))

      const second = run(['serve', '--http-port', '0'], first.dataDir)
      const stdout: string[] = []
      second.child.stdout?.on('data', (chunk) => stdout.push(String(chunk)))
      const url = (await firstLine(second.child)).match(/(http:\/\/127\.0\.0\.1:\d+)\//)?.[1] as string
      const kept = readdirSync(first.dataDir).find((name) => name.startsWith('secrets.json.invalid-')) as string
      expect(kept).toBeDefined()
      expect(readFileSync(join(first.dataDir, kept), 'utf8')).toBe(saved.slice(0, saved.indexOf(emulator.secret) + 8))
      expect(statSync(join(first.dataDir, kept)).mode & 0o777).toBe(0o600)

      const api = await ApiSocket.open(`${url.replace('http', 'ws')}/api`)
      const answers = [
        await api.call(1, 'status.get'),
        await api.call(2, 'profiles.list'),
        await api.call(3, 'profiles.test', { id: (saved.match(/"profile:([^"]+)"/) as RegExpMatchArray)[1] }),
        await api.call(4, 'connection.connect', { id: (saved.match(/"profile:([^"]+)"/) as RegExpMatchArray)[1] }),
      ]
      expect(answers[0]).toMatchObject({ result: { ok: true, value: { message: expect.stringContaining(kept) } } })
      expect(answers[1]).toMatchObject({ result: { ok: true, value: [{ name: 'Command line', hasSecret: false }] } })
      expect(answers[3]).toMatchObject({
        result: { ok: false, error: { message: expect.stringMatching(/secret .* is missing/) } },
      })
      api.close()
      second.child.kill('SIGTERM')
      expect(await exitCode(second.child)).toBe(0)
      const everything = JSON.stringify(answers) + stdout.join('') + second.stderr.join('')
      // Not the secret, nor any piece of it a JSON error would have quoted.
      for (let at = 0; at + 6 <= emulator.secret.length; at++) {
        expect(everything).not.toContain(emulator.secret.slice(at, at + 6))
      }
    } finally {
      await emulator.close()
    }
  })
})

describe('headcount with no command', () => {
  // Where Electron is installed this would open the desktop app; the smoke test covers that case.
  it.skipIf(findElectronBinary().available)(
    'says in one line that Electron is missing and serves web mode instead',
    async () => {
      const { child } = run(['--http-port', '0'])
      const [notice, ready] = await readLines(child, 2)
      expect(notice).toMatch(/^Electron is not available here \(.+\); serving the same console in web mode instead\.$/)
      expect(ready).toMatch(/^Headcount web UI: http:\/\/127\.0\.0\.1:\d+\/$/)
      child.kill('SIGTERM')
      const [code] = await once(child, 'exit')
      expect(code).toBe(0)
    },
  )
})

describe('headcount serve with a connection', () => {
  it('watches the app given by --url and serves its rooms over the API', async () => {
    const { startEmulator } = await import('../../src/emulator/index.ts')
    const { ApiSocket } = await import('./helpers/web-mode.ts')
    const emulator = await startEmulator()
    try {
      emulator.injectMany([
        { channel: 'private-lobby-ana' },
        { channel: 'private-lobby-ben' },
        { channel: 'private-stage-cy' },
      ])
      const { child } = run(['serve', '--http-port', '0', '--url', emulator.url])
      const url = (await firstLine(child)).match(/(http:\/\/127\.0\.0\.1:\d+)\//)?.[1] as string
      const api = await ApiSocket.open(`${url.replace('http', 'ws')}/api`)
      let rooms: unknown
      for (let id = 1; id < 200; id++) {
        const reply = await api.call(id, 'rooms.list')
        rooms = 'result' in reply && reply.result.ok ? reply.result.value : null
        if ((rooms as { total?: number } | null)?.total === 3) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(rooms).toMatchObject({
        total: 3,
        channels: 3,
        rooms: expect.arrayContaining([expect.objectContaining({ room: 'lobby', count: 2 })]),
      })
      const profiles = await api.call(1000, 'profiles.list')
      expect(profiles).toMatchObject({ result: { ok: true, value: [{ name: 'Command line', hasSecret: true }] } })
      expect(JSON.stringify(profiles)).not.toContain(emulator.secret)
      api.close()
      child.kill('SIGTERM')
      const [code] = await once(child, 'exit')
      expect(code).toBe(0)
    } finally {
      await emulator.close()
    }
  })

  it('refuses a malformed --url with exit code 2', async () => {
    const { child, stderr } = run(['serve', '--url', 'http://no-credentials@127.0.0.1/apps/1'])
    const [code] = await once(child, 'exit')
    expect(code).toBe(2)
    expect(stderr.join('')).toMatch(/^headcount serve: --url: The URL must carry KEY:SECRET@/)
  })
})

describe('headcount snapshot', () => {
  it('prints the rooms as JSON in the documented shape, and exits 1 on a wrong secret', async () => {
    const { startEmulator } = await import('../../src/emulator/index.ts')
    const emulator = await startEmulator()
    try {
      emulator.injectMany([
        { channel: 'private-lobby-red-ana' },
        { channel: 'private-lobby-blue-ben' },
        { channel: 'private-lobby' },
      ])
      const { child } = run(['snapshot', '--url', emulator.url, '--json', '--pattern', 'private-{room}-{group}-{user}'])
      const line = await firstLine(child)
      const [code] = await once(child, 'exit')
      expect(code).toBe(0)
      const parsed = JSON.parse(line)
      expect(parsed).toEqual({
        rooms: [{ room: 'lobby', count: 2, groups: { red: 1, blue: 1 } }],
        total: 2,
        channels: 3,
        unmatched: 1,
        fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      })
      const wrong = run(['snapshot', '--url', emulator.url.replace(emulator.secret, 'wrong-secret')])
      const [wrongCode] = await once(wrong.child, 'exit')
      expect(wrongCode).toBe(1)
      expect(wrong.stderr.join('')).toMatch(/^headcount snapshot: Wrong key or secret/)
    } finally {
      await emulator.close()
    }
  })
})
