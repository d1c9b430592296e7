import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/emulator/index.ts'
import { ApiSocket } from './helpers/web-mode.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')
let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

/** Every folder and file under `dir`, with its permission bits. */
function modes(dir: string, prefix = ''): Record<string, number> {
  const found: Record<string, number> = {}
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const name = prefix + entry.name
    found[entry.isDirectory() ? `${name}/` : name] = statSync(path).mode & 0o777
    if (entry.isDirectory()) Object.assign(found, modes(path, `${name}/`))
  }
  return found
}

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`gave up waiting for ${what}`)
}

describe('the data folder of a running serve', () => {
  it('is 0700 with every file in it 0600: settings, secrets, history with its WAL, friends, exports', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-modes-'))
    // As an older version left it: the folder and settings readable by everyone.
    chmodSync(dataDir, 0o755)
    writeFileSync(join(dataDir, 'settings.json'), '{}\n', { mode: 0o644 })
    const emulator = await startEmulator()
    cleanup = async () => {
      await emulator.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
    emulator.injectMany([{ channel: 'private-lobby-ana' }, { channel: 'private-lobby-ben' }])

    const serve = spawn(
      process.execPath,
      [BIN, 'serve', '--http-port', '0', '--data', dataDir, '--url', emulator.url],
      {
        stdio: 'pipe',
      },
    )
    const previous = cleanup
    cleanup = async () => {
      serve.kill('SIGKILL')
      await previous()
    }
    const reader = createInterface({ input: serve.stdout })
    const [line] = (await once(reader, 'line')) as [string]
    const base = line.match(/(http:\/\/127\.0\.0\.1:\d+)\//)?.[1] as string
    const api = await ApiSocket.open(`${base.replace('http', 'ws')}/api`)
    let id = 1
    const value = async (method: string, input?: unknown) => {
      const reply = await api.call(id++, method, input)
      if (!('result' in reply) || !reply.result.ok) throw new Error(`${method}: ${JSON.stringify(reply)}`)
      return reply.result.value as Record<string, unknown>
    }
    await until(async () => ((await value('rooms.list')).total === 2 ? true : undefined), 'the first sync')
    const status = await value('status.get')
    expect(await value('friends.import', { id: status.profileId, csv: 'ana,ben\n', mutual: true })).toMatchObject({
      ok: true,
    })
    const started = await value('export.start', { kind: 'sessions', from: Date.now() - 60_000, to: Date.now() + 1 })
    await api.next(
      (frame) =>
        'event' in frame &&
        frame.event === 'export.progress' &&
        (frame.payload as { id: string; state: string }).id === started.id &&
        (frame.payload as { state: string }).state === 'done',
    )
    expect((await fetch(`${base}/exports/${started.id as string}`)).status).toBe(200)

    const found = modes(dataDir)
    const names = Object.keys(found)
    for (const expected of [
      /^settings\.json$/,
      /^secrets\.json$/,
      /^history\/$/,
      /^history\/[^/]+\.sqlite$/,
      /^history\/[^/]+\.sqlite-wal$/,
      /^history\/[^/]+\.sqlite-shm$/,
      /^friends\/[^/]+\.json$/,
      /^exports\/headcount-sessions-.*\.csv$/,
    ])
      expect(
        names.some((name) => expected.test(name)),
        `${expected} in ${names.join(', ')}`,
      ).toBe(true)
    for (const [name, mode] of Object.entries(found)) {
      expect(mode.toString(8), name).toBe(name.endsWith('/') ? '700' : '600')
    }
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700')
    api.close()
    serve.kill('SIGTERM')
    expect((await once(serve, 'exit'))[0]).toBe(0)
  })
})
