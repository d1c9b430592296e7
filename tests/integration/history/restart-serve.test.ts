import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type InjectedHandle, type RunningEmulator } from '../../../src/emulator/index.ts'
import { ApiSocket } from '../helpers/web-mode.ts'

// Headcount's own restart is a gap in its history, not a crowd leaving and joining again (DESIGN §5a):
// real `headcount serve` processes over one data folder, a steady crowd on the emulator.

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
const CROWD = 200
let dataDir: string
let emulator: RunningEmulator | undefined
const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await emulator?.close()
  emulator = undefined
  rmSync(dataDir, { recursive: true, force: true })
})

function headcount(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HEADCOUNT_DATA: dataDir } })
  children.push(child)
  return child
}

/** `serve` watching the emulator, until it has read `total` people; then SIGTERM, and its exit. */
async function serveUntil(target: RunningEmulator, total: number): Promise<void> {
  const child = headcount(['serve', '--http-port', '0', '--url', target.url])
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  let line = ''
  for await (const text of reader) {
    line = text
    break
  }
  const url = line.match(/(http:\/\/127\.0\.0\.1:\d+)\//)?.[1]
  if (!url) throw new Error(`serve printed no URL: ${line}`)
  const api = await ApiSocket.open(`${url.replace('http', 'ws')}/api`)
  let seen: unknown = null
  for (let id = 1; id < 1200; id++) {
    const reply = await api.call(id, 'rooms.list')
    seen = 'result' in reply && reply.result.ok ? reply.result.value : reply
    if ((seen as { total?: number }).total === total) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  api.close()
  expect(seen).toMatchObject({ total })
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  expect(code).toBe(0)
}

/** The sessions CSV the installed `export` command writes, as one record per row. */
async function exportedSessions(): Promise<Record<string, string>[]> {
  const out = join(dataDir, 'sessions.csv')
  const child = headcount(['export', '--sessions', '--out', out])
  const [code] = await once(child, 'exit')
  expect(code).toBe(0)
  const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\r\n')
  const names = (header as string).split(',')
  // No cell here holds a comma: user ids are plain and notes carry none.
  return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [names[i], cell])))
}

function seat(target: RunningEmulator, count: number): InjectedHandle[] {
  return target.injectMany(
    Array.from({ length: count }, (_, i) => ({ channel: `private-room${i % 4}-user${String(i).padStart(3, '0')}` })),
  )
}

describe('headcount serve restarted under a steady crowd', () => {
  it('keeps one session per person across the restart', { timeout: 120_000 }, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'headcount-restart-'))
    emulator = await startEmulator()
    seat(emulator, CROWD)
    await serveUntil(emulator, CROWD)
    await serveUntil(emulator, CROWD)
    const sessions = await exportedSessions()
    expect(sessions).toHaveLength(CROWD)
    expect(new Set(sessions.map((session) => `${session.room}/${session.user}`)).size).toBe(CROWD)
    // Nobody left: Headcount stopping is not a leave.
    expect(sessions.filter((session) => session.left !== '')).toEqual([])
  })

  it(
    'ends the sessions of those who left while it was down when they were last seen, marked',
    {
      timeout: 120_000,
    },
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'headcount-restart-'))
      emulator = await startEmulator()
      const handles = seat(emulator, CROWD)
      const beforeStop = Date.now()
      await serveUntil(emulator, CROWD)
      const stoppedAt = Date.now()
      emulator.removeInjectedMany(handles.slice(0, 30))
      await serveUntil(emulator, CROWD - 30)
      const sessions = await exportedSessions()
      expect(sessions).toHaveLength(CROWD)
      const ended = sessions.filter((session) => session.left !== '')
      expect(ended.map((session) => session.user).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `user${String(i).padStart(3, '0')}`),
      )
      for (const session of ended) {
        // When last seen: during the first run, not when the second one looked.
        const left = Date.parse(session.left as string)
        expect(left).toBeGreaterThanOrEqual(beforeStop)
        expect(left).toBeLessThanOrEqual(stoppedAt)
        expect(session.leave_note).toBe('left during a gap; this is when last seen')
      }
    },
  )
})
