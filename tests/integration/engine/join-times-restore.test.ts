// After a start, the monitor reads back from the history when the people present joined (a restart
// must not make everyone's session begin again), paging through the open sessions. On a history with
// no session open before the first sync, every open session began with that sync: nothing to read back,
// and at a million it is 500 pages of reading. Real history on disk, real sockets to the emulator.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HistoryStore } from '../../../src/core/history/history-store.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import type { Tick } from '../../../src/shared/presence.ts'
import { monitorOnEmulator } from './monitor-on-emulator.ts'

let emulator: RunningEmulator | undefined
let dir: string | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

/** A monitor's first sync over the history file in `folder`; the pages it read back, once it settled. */
async function firstSync(target: RunningEmulator, folder: string) {
  const history = HistoryStore.open(join(folder, 'history.sqlite'))
  const pages = vi.spyOn(history, 'openSessionsPage')
  const ticks: Tick[] = []
  const monitor = monitorOnEmulator(target, history, ticks)
  await monitor.start()
  await vi.waitFor(() => expect(ticks).toHaveLength(1))
  // A read-back runs a page per turn of the event loop: give it a few.
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve))
  const detail = monitor.roomDetail({ room: 'room0', offset: 0, limit: 100, sort: 'joined', order: 'asc' })
  await monitor.stop()
  await history.close()
  return { readBack: pages.mock.calls.filter(([, limit]) => limit > 1).length, detail }
}

describe('reading join times back after a start', () => {
  it('reads nothing back on a history with no session open before, and reads them back after a restart', async () => {
    emulator = await startEmulator({ port: 0 })
    emulator.injectMany(Array.from({ length: 40 }, (_, i) => ({ channel: `private-room${i % 2}-user${i}` })))
    dir = mkdtempSync(join(tmpdir(), 'headcount-join-times-'))

    const first = await firstSync(emulator, dir)
    expect(first.readBack).toBe(0)
    const joined = first.detail.participants.map((one) => one.since)

    await new Promise((resolve) => setTimeout(resolve, 20))
    const again = await firstSync(emulator, dir)
    expect(again.readBack).toBeGreaterThan(0)
    // Everyone still joined when the first sync saw them, not at the second.
    expect(again.detail.participants.map((one) => one.since)).toEqual(joined)
  }, 30_000)
})
