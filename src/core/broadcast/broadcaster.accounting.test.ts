// What the broadcaster reports before it is switched on: a dry run of its settings on the live crowd
// (counted, never sent) and what vanilla presence would cost for the joins and leaves seen, from the
// second sync on; and the spend kept per UTC quarter-hour.
import { describe, expect, it } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS, SPEND_BUCKET_MS } from '../../shared/broadcast.ts'
import type { BatchEvent } from '../channels/client.ts'
import type { Member, RoomSummary } from '../presence/types.ts'
import { Broadcaster } from './broadcaster.ts'
import type { Marker } from './marker.ts'
import { SimulatedClock } from './simulated-clock.ts'
import { OFFLINE_OPTIONS } from './test-broadcaster.ts'

const marker: Marker = { id: 't', state: 'off', othersLive: [], othersNow: async () => [], hold() {}, release() {} }

describe('the broadcaster’s accounting', () => {
  it('projects its own cost from a dry run and vanilla presence’s from the joins seen, sending nothing while off', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 2, 4, 12))
    let count = 500
    const summaries = (): RoomSummary[] => [{ room: 'hall', count, groups: {} }]
    const sent: BatchEvent[] = []
    const settings = { ...DEFAULT_BROADCAST_SETTINGS, enabled: false }
    const broadcaster = new Broadcaster({
      presence: { rooms: summaries, room: () => summaries()[0], members: () => ({ total: 0, members: [] }) },
      sink: {
        triggerBatch: (batch) => {
          sent.push(...batch)
          return Promise.resolve('{}')
        },
      },
      marker,
      ...OFFLINE_OPTIONS,
      settings,
      now: () => clock.now,
      timers: clock,
    })
    const sync = (joins: number) => {
      count += joins
      const members: Member[] = Array.from({ length: joins }, (_, i) => ({
        room: 'hall',
        group: null,
        user: `u${count}-${i}`,
      }))
      broadcaster.observe({
        at: clock.now,
        channels: count,
        unmatched: 0,
        joins: members,
        leaves: [],
        rooms: summaries(),
        total: count,
      })
    }
    // The first sync lists everyone present as joining: not counted.
    sync(0)
    expect(broadcaster.status().vanillaPresence.projectedPerDay).toBeNull()
    for (let second = 1; second <= 60; second++) {
      sync(1)
      await clock.advanceTo(clock.now + 1000)
    }
    const status = broadcaster.status()
    expect(sent).toHaveLength(0)
    expect(status.state).toBe('off')
    expect(status.projectionBasis).toBe('dry-run')
    // One summary a second to about 530 people: about 46 M a day.
    expect(status.projectedPerDay).toBeGreaterThan(30e6)
    expect(status.projectedPerDay).toBeLessThan(60e6)
    // Each join to everyone already there, and the member list (one message) to the joiner: about 530 a
    // second, about as much as a summary a second to everyone (vanilla grows with churn, summaries don't).
    expect(status.vanillaPresence.projectedPerDay).toBeGreaterThan(40e6)
    expect(status.vanillaPresence.projectedPerDay).toBeLessThan(50e6)
    expect(status.vanillaPresence.today).toBeGreaterThan(60 * 500)
    expect(status.messagesToday).toBe(0)
    expect(status.spend.every((bucket) => bucket.start % SPEND_BUCKET_MS === 0)).toBe(true)
    await broadcaster.close()
  })
})
