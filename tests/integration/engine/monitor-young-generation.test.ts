// The monitor (over real sockets, to the emulator) holds V8's young generation from its start and lets it
// grow again once its first sync is stored, or its storing failed (src/core/young-generation.ts says
// why), and only then: not before the history has the tick, nor at later ticks; a monitor stopped before
// any tick lets it go too.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_BROADCAST_SETTINGS } from '../../../src/shared/broadcast.ts'
import { parseConnectionUrl } from '../../../src/shared/connection.ts'
import type { Tick } from '../../../src/shared/presence.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import type { HistoryStore } from '../../../src/core/history/history-store.ts'
import { silentLogger } from '../../../src/core/logger.ts'

const events: string[] = []
vi.mock('../../../src/core/young-generation.ts', () => ({
  holdYoungGeneration: () => void events.push('held'),
  releaseYoungGeneration: () => void events.push('released'),
}))
const { Monitor } = await import('../../../src/core/monitor.ts')

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
  const credentials = parseConnectionUrl(
    `http://${emulator.key}:${emulator.secret}@127.0.0.1:${emulator.port}/apps/${emulator.appId}`,
  )
  const { secret: _secret, ...connection } = credentials
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
  const monitor = new Monitor({
    profile: {
      id: 'p',
      name: 'p',
      connection,
      convention: { kind: 'template', template: 'private-{room}-{user}' },
      sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 300 },
      broadcast: DEFAULT_BROADCAST_SETTINGS,
      alerts: [],
    },
    credentials,
    history,
    logger: silentLogger,
    onTick: (tick) => ticks.push(tick),
    onStatus: () => {},
  })
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
