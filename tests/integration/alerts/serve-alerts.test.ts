import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { historyPathFor } from '../../../src/core/history/paths.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { ApiSocket } from '../helpers/web-mode.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
const children: ChildProcess[] = []
const dirs: string[] = []
let emulator: RunningEmulator | undefined

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  await emulator?.close()
  emulator = undefined
})

interface LogRow {
  rule: string
  room: string | null
  message: string
  resolved_at: number | null
  resolution: string | null
}

/** The alert log as the file on disk holds it (read-only, beside the running server). */
function alertRows(path: string): LogRow[] {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return db
      .prepare('SELECT rule, room, message, resolved_at, resolution FROM alert_log ORDER BY id')
      .all() as unknown as LogRow[]
  } catch {
    return [] // not created yet
  } finally {
    db.close()
  }
}

async function until<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const lobby = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ channel: `private-lobby-user${from + i}` }))

describe('alerts in headcount serve', () => {
  it('fire and resolve with no console open, and are in the history’s alert log', async () => {
    emulator = await startEmulator({ vacateDelayMs: 0 })
    emulator.injectMany(lobby(3))
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-serve-alerts-'))
    dirs.push(dataDir)
    const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--url', emulator.url], {
      env: { ...process.env, HEADCOUNT_DATA: dataDir },
      stdio: 'pipe',
    })
    children.push(child)
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
    const url = ((await lines.next()).value as string).match(/(http:\/\/127\.0\.0\.1:\d+)\//)?.[1] as string

    // A rule set through the API, then the socket closed: from here on no one is watching.
    const api = await ApiSocket.open(`${url.replace('http', 'ws')}/api`)
    const profiles = (await api.call(1, 'profiles.list')) as { result: { ok: true; value: { id: string }[] } }
    const id = profiles.result.value[0]?.id as string
    const saved = await api.call(2, 'alerts.saveRule', {
      id,
      rule: { kind: 'room-above', room: 'lobby', people: 5 },
    })
    expect(saved).toMatchObject({ result: { ok: true, value: { kind: 'room-above', people: 5, enabled: true } } })
    api.close()

    const history = historyPathFor(dataDir, id)
    const crowd = emulator.injectMany(lobby(7, 100))
    const fired = await until(
      () => alertRows(history),
      (rows) => rows.length > 0,
    )
    expect(fired).toEqual([
      {
        rule: 'lobby above 5 people',
        room: 'lobby',
        message: 'lobby has 10 people, above 5',
        resolved_at: null,
        resolution: null,
      },
    ])

    emulator.removeInjectedMany(crowd)
    const resolved = await until(
      () => alertRows(history),
      (rows) => rows[0]?.resolved_at !== null,
    )
    expect(resolved).toEqual([
      { ...fired[0], resolved_at: expect.any(Number), resolution: 'lobby is down to 3 people' },
    ])

    // A console opening later reads the same log through the contract.
    const later = await ApiSocket.open(`${url.replace('http', 'ws')}/api`)
    expect(await later.call(3, 'alerts.log', {})).toMatchObject({
      result: { ok: true, value: { entries: [{ room: 'lobby', resolution: 'lobby is down to 3 people' }] } },
    })
    later.close()
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(0)
  }, 90_000)
})
