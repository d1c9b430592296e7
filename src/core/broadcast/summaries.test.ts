import { describe, expect, it } from 'vitest'
import { SummaryTracker } from './summaries.ts'

const room = (name: string, count: number, groups: Record<string, number> = {}) => ({ room: name, count, groups })

describe('SummaryTracker', () => {
  it('plans changed rooms, heartbeats when due, and a final 0 for rooms that emptied', () => {
    const tracker = new SummaryTracker(() => 1)
    const first = tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 0)
    expect(first.map((p) => `${p.summary.room}:${p.reason}`)).toEqual(['a:changed', 'b:changed'])
    for (const planned of first) tracker.commit(planned, 0, 10_000)

    expect(tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 1000)).toEqual([])
    expect(tracker.plan([room('a', 2, { red: 1, blue: 1 }), room('b', 1)], 1000).map((p) => p.summary.room)).toEqual([
      'a',
    ])
    expect(tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 10_000).map((p) => p.reason)).toEqual([
      'heartbeat',
      'heartbeat',
    ])

    const emptied = tracker.plan([room('a', 2, { red: 2 })], 2000)
    expect(emptied).toEqual([{ summary: { room: 'b', count: 0, groups: {} }, reason: 'emptied' }])
    tracker.commit(emptied[0] as (typeof emptied)[0], 2000, 10_000)
    expect(tracker.plan([room('a', 2, { red: 2 })], 3000)).toEqual([])
    expect(tracker.size).toBe(1)
  })

  it('keeps planning a room whose send failed, with its latest state', () => {
    const tracker = new SummaryTracker()
    expect(tracker.plan([room('a', 1)], 0)).toHaveLength(1)
    // not committed: the next tick plans the newest summary, not the one that failed
    expect(tracker.plan([room('a', 5)], 1000)).toEqual([{ summary: room('a', 5), reason: 'changed' }])
  })

  it('spreads first heartbeats over the second half of the period, then keeps the phase', () => {
    const tracker = new SummaryTracker(() => 0)
    const [planned] = tracker.plan([room('a', 1)], 0)
    tracker.commit(planned as NonNullable<typeof planned>, 0, 10_000)
    expect(tracker.plan([room('a', 1)], 4999)).toEqual([])
    const [beat] = tracker.plan([room('a', 1)], 5000)
    expect(beat?.reason).toBe('heartbeat')
    tracker.commit(beat as NonNullable<typeof beat>, 5000, 10_000)
    expect(tracker.plan([room('a', 1)], 14_999)).toEqual([])
    expect(tracker.plan([room('a', 1)], 15_000)).toHaveLength(1)
  })

  it('makes every room due again after resendAll', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000)
    tracker.resendAll()
    expect(tracker.plan([room('a', 1), room('b', 2)], 1)).toHaveLength(2)
  })

  it('announces a room that emptied in the same tick as another room appeared', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000)
    // As many rooms as before, but b is gone and c is new.
    const planned = tracker.plan([room('a', 1), room('c', 3)], 1000)
    expect(planned.map((p) => `${p.summary.room}:${p.reason}`).sort()).toEqual(['b:emptied', 'c:changed'])
    for (const p of planned) tracker.commit(p, 1000, 60_000)
    expect(tracker.plan([room('a', 1), room('c', 3)], 2000)).toEqual([])
    expect(tracker.size).toBe(2)
  })

  it('announces every room once when the presence state empties', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000)
    expect(tracker.plan([], 1000).map((p) => p.summary)).toEqual([room('a', 0), room('b', 0)])
  })
})
