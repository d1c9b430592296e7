import { describe, expect, it } from 'vitest'
import { roundSummary, SummaryTracker } from './summaries.ts'

const room = (name: string, count: number, groups: Record<string, number> = {}) => ({ room: name, count, groups })

describe('SummaryTracker', () => {
  it('plans changed rooms, heartbeats when due, and a final 0 for rooms that emptied', () => {
    const tracker = new SummaryTracker(() => 1)
    const first = tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 0)
    expect(first.map((p) => `${p.summary.room}:${p.reason}`)).toEqual(['a:first', 'b:first'])
    for (const planned of first) tracker.commit(planned, 0, 10_000, 0)

    expect(tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 1000)).toEqual([])
    expect(tracker.plan([room('a', 2, { red: 1, blue: 1 }), room('b', 1)], 1000).map((p) => p.summary.room)).toEqual([
      'a',
    ])
    expect(tracker.plan([room('a', 2, { red: 2 }), room('b', 1)], 10_000).map((p) => p.reason)).toEqual([
      'heartbeat',
      'heartbeat',
    ])

    const emptied = tracker.plan([room('a', 2, { red: 2 })], 2000)
    expect(emptied).toEqual([
      {
        summary: { room: 'b', count: 0, groups: {} },
        shown: { room: 'b', count: 0, groups: {} },
        figures: null,
        reason: 'emptied',
        urgency: Infinity,
      },
    ])
    tracker.commit(emptied[0] as (typeof emptied)[0], 2000, 10_000, 0)
    expect(tracker.plan([room('a', 2, { red: 2 })], 3000)).toEqual([])
    expect(tracker.size).toBe(1)
  })

  it('keeps planning a room whose send failed, with its latest state', () => {
    const tracker = new SummaryTracker()
    expect(tracker.plan([room('a', 1)], 0)).toHaveLength(1)
    // not committed: the next tick plans the newest summary, not the one that failed
    expect(tracker.plan([room('a', 5)], 1000)).toMatchObject([{ summary: room('a', 5), reason: 'first' }])
  })

  it('spreads first heartbeats over the second half of the period, then keeps the phase', () => {
    const tracker = new SummaryTracker(() => 0)
    const [planned] = tracker.plan([room('a', 1)], 0)
    tracker.commit(planned as NonNullable<typeof planned>, 0, 10_000, 0)
    expect(tracker.plan([room('a', 1)], 4999)).toEqual([])
    const [beat] = tracker.plan([room('a', 1)], 5000)
    expect(beat?.reason).toBe('heartbeat')
    tracker.commit(beat as NonNullable<typeof beat>, 5000, 10_000, 0)
    expect(tracker.plan([room('a', 1)], 14_999)).toEqual([])
    expect(tracker.plan([room('a', 1)], 15_000)).toHaveLength(1)
  })

  it('makes every room due again after resendAll', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000, 0)
    tracker.resendAll()
    expect(tracker.plan([room('a', 1), room('b', 2)], 1)).toHaveLength(2)
  })

  it('announces a room that emptied in the same tick as another room appeared', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000, 0)
    // As many rooms as before, but b is gone and c is new.
    const planned = tracker.plan([room('a', 1), room('c', 3)], 1000)
    expect(planned.map((p) => `${p.summary.room}:${p.reason}`).sort()).toEqual(['b:emptied', 'c:first'])
    for (const p of planned) tracker.commit(p, 1000, 60_000, 0)
    expect(tracker.plan([room('a', 1), room('c', 3)], 2000)).toEqual([])
    expect(tracker.size).toBe(2)
  })

  it('announces every room once when the presence state empties', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1), room('b', 2)], 0)) tracker.commit(planned, 0, 60_000, 0)
    expect(tracker.plan([], 1000).map((p) => p.summary)).toEqual([room('a', 0), room('b', 0)])
  })

  it('publishes at a precision: only a change of the rounded value goes out, with what participants now see', () => {
    const tracker = new SummaryTracker(() => 1)
    const three = () => 3
    const [first] = tracker.plan([room('big', 1_234_567, { red: 1_000_321, blue: 234_246 })], 0, three)
    expect(first).toMatchObject({
      reason: 'first',
      figures: 3,
      shown: { room: 'big', count: 1_230_000, groups: { red: 1_000_000, blue: 234_000 } },
    })
    tracker.commit(first as NonNullable<typeof first>, 0, Infinity, 7)
    expect(tracker.shown('big')).toMatchObject({ count: 1_230_000, figures: 3, trueCount: 1_234_567, ts: 7 })
    // Thousands come and go: the rounded values don't move, nothing is sent (and no heartbeat: Infinity).
    expect(tracker.plan([room('big', 1_227_001, { red: 999_501, blue: 234_499 })], 60_000, three)).toEqual([])
    // Past the rounding boundary: a change, as urgent as the count is off in allowed errors (±5,000).
    const [changed] = tracker.plan([room('big', 1_236_000, { red: 1_000_000, blue: 236_000 })], 61_000, three)
    expect(changed).toMatchObject({ reason: 'changed', shown: { count: 1_240_000 } })
    expect(changed?.urgency).toBeCloseTo(6000 / 5000)
  })

  it('calls a change of more than a tenth a jump, and a change of figures with its value a precision step', () => {
    const tracker = new SummaryTracker(() => 1)
    for (const planned of tracker.plan([room('a', 5000), room('b', 5000)], 0, () => 2))
      tracker.commit(planned, 0, Infinity, 0)
    const planned = tracker.plan([room('a', 5600), room('b', 5040)], 1000, (summary) => (summary.room === 'a' ? 2 : 3))
    expect(planned.map((p) => `${p.summary.room}:${p.reason}:${p.shown.count}`)).toEqual([
      'a:jump:5600',
      'b:precision:5040',
    ])
  })

  it('rounds groups with the figures of the count, and leaves small ones exact', () => {
    expect(roundSummary(room('r', 12_345, { x: 12_000, y: 345 }), 2)).toEqual(room('r', 12_000, { x: 12_000, y: 350 }))
    expect(roundSummary(room('r', 12_345, { x: 99 }), 2)).toEqual(room('r', 12_000, { x: 99 }))
    const exact = room('r', 12_345, { x: 1 })
    expect(roundSummary(exact, null)).toBe(exact)
  })

  it('forgets every room on clear, so each is a first value again', () => {
    const tracker = new SummaryTracker()
    for (const planned of tracker.plan([room('a', 1)], 0)) tracker.commit(planned, 0, 60_000, 0)
    tracker.clear()
    expect(tracker.plan([room('a', 1)], 1).map((p) => p.reason)).toEqual(['first'])
  })
})
