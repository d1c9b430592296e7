// The monitor (over real sockets, to the emulator) holds V8's young generation from its start and lets it
// grow again once its first sync is stored, or its storing failed (src/core/young-generation.ts says
// why), and only then: not before the history has the tick, nor at later ticks; a monitor stopped before
// any tick lets it go too.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import type { Tick } from '../../../src/shared/presence.ts'
import type { HistoryStore } from '../../../src/core/history/history-store.ts'

const events: string[] = []
vi.mock('../../../src/core/young-generation.ts', () => ({
  holdYoungGeneration: () => void events.push('held'),
  releaseYoungGeneration: () => void events.push('released'),
}))
const { monitorOnEmulator } = await import('./monitor-on-emulator.ts')

let emulator: RunningEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  events.length = 0
})

/** A monitor on the emulator whose history stores ticks with `recordTick` (and nothing else). */
async function monitorWith(recordTick: () => Promise<void>) {
  emulator = await startEmulator({ port: 0 })
  emulator.injectMany(Array.from({ length: 100 }, (_, i) => ({ channel: `private-room${i % 5}-user${i}` })))
  // Only what the monitor asks of the history: ticks, and setup, gaps and retention (ignored).
  const history = {
    recordSetup: async () => {},
    recordTick,
    recordGap: async () => {},
    recordSyncStopped: async () => {},
    applyRetention: async () => ({}),
    openSessionStarts: () => new Map(),
    openSessionsPage: () => [],
  } as unknown as HistoryStore
  const ticks: Tick[] = []
  const monitor = monitorOnEmulator(emulator, history, ticks)
  return { monitor, ticks }
}

describe('the monitor and the young generation', () => {
  it('releases it once the first tick is stored, and not again', async () => {
    const { monitor, ticks } = await monitorWith(async () => void events.push('tick stored'))
    await monitor.start()
    await vi.waitFor(() => expect(ticks).toHaveLength(1))
    monitor.pollNow()
    await vi.waitFor(() => expect(ticks).toHaveLength(2))
    await monitor.stop()
    expect(events).toEqual(['held', 'tick stored', 'released', 'tick stored'])
  }, 30_000)

  it('releases it when storing the first tick fails', async () => {
    const { monitor } = await monitorWith(async () => {
      events.push('storing failed')
      throw new Error('disk full')
    })
    await monitor.start()
    await vi.waitFor(() => expect(events).toContain('released'))
    await monitor.stop()
    expect(events.slice(0, 3)).toEqual(['held', 'storing failed', 'released'])
  }, 30_000)

  it('holds it again for a later monitor, as after a reconnection, and releases it if stopped before a tick', async () => {
    const first = await monitorWith(async () => void events.push('tick stored'))
    await first.monitor.start()
    await vi.waitFor(() => expect(first.ticks).toHaveLength(1))
    await first.monitor.stop()
    await emulator?.close()
    const second = await monitorWith(async () => void events.push('tick stored'))
    // Its app is not there: the monitor is stopped before any sync succeeds.
    await emulator?.close()
    emulator = undefined
    await second.monitor.start()
    await second.monitor.stop()
    expect(second.ticks).toHaveLength(0)
    expect(events).toEqual(['held', 'tick stored', 'released', 'held', 'released'])
  }, 30_000)
})
