// The Broadcast panel's comparison with the emulator's exact count: both figures must cover the same
// stretch of time, or the panel shows Headcount counting messages the emulator "never got".
import { describe, expect, it } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS } from '../../shared/broadcast.ts'
import type { RoomSummary } from '../presence/types.ts'
import { Broadcaster } from './broadcaster.ts'
import type { Marker } from './marker.ts'
import { SimulatedClock } from './simulated-clock.ts'
import { OFFLINE_OPTIONS } from './test-broadcaster.ts'

const marker: Marker = { id: 't', state: 'off', othersLive: [], othersNow: async () => [], hold() {}, release() {} }

describe('the broadcaster’s reading of the emulator’s count', () => {
  it('compares the emulator’s count with its own at the same instant, between readings too', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 2, 4, 12))
    let count = 20
    const summaries = (): RoomSummary[] => [{ room: 'hall', count, groups: {} }]
    // An emulator whose participants are exactly the room's: each event costs one message and one per person.
    let emulatorCount = 0
    const broadcaster = new Broadcaster({
      presence: { rooms: summaries, room: () => summaries()[0], members: () => ({ total: 0, members: [] }) },
      sink: {
        triggerBatch: (batch) => {
          emulatorCount += batch.length * (1 + count)
          return Promise.resolve('{}')
        },
      },
      probe: { identify: async () => 'emulator', emulatorMessages: async () => emulatorCount },
      marker,
      ...OFFLINE_OPTIONS,
      settings: { ...DEFAULT_BROADCAST_SETTINGS, enabled: false },
      now: () => clock.now,
      timers: clock,
    })
    const sync = () =>
      broadcaster.observe({
        at: clock.now,
        channels: count,
        unmatched: 0,
        joins: [],
        leaves: [],
        rooms: summaries(),
        total: count,
      })
    sync()
    await broadcaster.configure({ ...DEFAULT_BROADCAST_SETTINGS, enabled: true, force: true, intervalMs: 1000 })
    for (let second = 1; second <= 12; second++) {
      // The room changes every second, so every tick sends; readings of the emulator come every few.
      count += 1
      sync()
      await clock.advanceTo(clock.now + 1000)
      const measured = broadcaster.status().measured
      if (measured === null) continue
      expect(measured.headcountMessages, `second ${second}`).toBe(measured.emulatorMessages)
    }
    const status = broadcaster.status()
    const measured = status.measured
    expect(measured?.emulatorMessages).toBeGreaterThan(0)
    await broadcaster.close()
  })
})
