import { describe, expect, it } from 'vitest'
import { AlertRuleSchema, type AlertRule } from '../../shared/alerts.ts'
import {
  AlertEvaluator,
  BROADCAST_RESOLVE_HOLD_MS,
  countBand,
  MAX_ACTIVE_PER_RULE,
  type AlertChange,
} from './evaluator.ts'

const rule = (fields: Record<string, unknown>): AlertRule => AlertRuleSchema.parse({ id: 'r1', ...fields })
const above = (room: string | null, people: number) => rule({ kind: 'room-above', room, people })
const MIN = 60_000

/** What changed, in a form a test reads at a glance: "fire lobby: …" / "resolve lobby: …". */
const words = (changes: AlertChange[]) =>
  changes.map((change) => `${change.type} ${change.room ?? '-'}: ${change.message}`)

describe('room above or below a count', () => {
  it('fires once when a room goes above, and resolves only once it is back by 5 %', () => {
    const evaluator = new AlertEvaluator([above('lobby', 100)])
    expect(evaluator.observeRooms(0, [{ room: 'lobby', count: 100 }], [])).toEqual([])
    expect(words(evaluator.observeRooms(1000, [{ room: 'lobby', count: 104 }], []))).toEqual([
      'fire lobby: lobby has 104 people, above 100',
    ])
    // Hovering around the threshold neither fires again nor resolves.
    expect(evaluator.observeRooms(2000, [{ room: 'lobby', count: 99 }], [])).toEqual([])
    expect(evaluator.observeRooms(3000, [{ room: 'lobby', count: 101 }], [])).toEqual([])
    expect(evaluator.observeRooms(4000, [{ room: 'lobby', count: 96 }], [])).toEqual([])
    expect(words(evaluator.observeRooms(5000, [{ room: 'lobby', count: 95 }], []))).toEqual([
      'resolve lobby: lobby is down to 95 people',
    ])
    expect(words(evaluator.observeRooms(6000, [{ room: 'lobby', count: 101 }], []))).toEqual([
      'fire lobby: lobby has 101 people, above 100',
    ])
    expect(words(evaluator.observeRooms(7000, [], ['lobby']))).toEqual(['resolve lobby: lobby has emptied'])
  })

  it('keeps the margin at least one person and never below zero', () => {
    expect(countBand(0)).toBe(1)
    expect(countBand(10)).toBe(1)
    expect(countBand(100)).toBe(5)
    expect(countBand(1000)).toBe(50)
    const evaluator = new AlertEvaluator([above('lobby', 0)])
    expect(words(evaluator.observeRooms(0, [{ room: 'lobby', count: 1 }], []))).toEqual([
      'fire lobby: lobby has 1 person, above 0',
    ])
    expect(words(evaluator.observeRooms(1, [], ['lobby']))).toEqual(['resolve lobby: lobby has emptied'])
  })

  it('watches every room with people for "any room", each on its own', () => {
    const evaluator = new AlertEvaluator([above(null, 10)])
    expect(
      words(
        evaluator.observeRooms(
          0,
          [
            { room: 'a', count: 11 },
            { room: 'b', count: 5 },
            { room: 'c', count: 30 },
          ],
          [],
        ),
      ),
    ).toEqual(['fire a: a has 11 people, above 10', 'fire c: c has 30 people, above 10'])
    // A sync that does not touch "a" leaves its alert alone; "c" going down resolves it.
    expect(words(evaluator.observeRooms(1, [{ room: 'c', count: 2 }], []))).toEqual([
      'resolve c: c is down to 2 people',
    ])
    expect(evaluator.activeAlerts).toEqual([{ ruleId: 'r1', room: 'a' }])
  })

  it('fires for at most 50 rooms of one "any room" rule at once', () => {
    const evaluator = new AlertEvaluator([above(null, 1)])
    const rooms = Array.from({ length: 80 }, (_, i) => ({ room: `room${i}`, count: 5 }))
    expect(evaluator.observeRooms(0, rooms, [])).toHaveLength(MAX_ACTIVE_PER_RULE)
    // One resolving makes room for another.
    const next = evaluator.observeRooms(1, [{ room: 'room0', count: 0 }], [])
    expect(next.map((change) => change.type)).toEqual(['resolve'])
    expect(evaluator.observeRooms(2, [{ room: 'room70', count: 6 }], []).map((change) => change.room)).toEqual([
      'room70',
    ])
  })

  it('counts a named room that is gone as empty, but not rooms in general', () => {
    const evaluator = new AlertEvaluator([
      rule({ id: 'lobby', kind: 'room-below', room: 'lobby', people: 5 }),
      rule({ id: 'any', kind: 'room-below', room: null, people: 5 }),
    ])
    expect(words(evaluator.observeRooms(0, [{ room: 'cafe', count: 3 }], []))).toEqual([
      'fire lobby: lobby has no one, below 5',
      'fire cafe: cafe has 3 people, below 5',
    ])
    expect(words(evaluator.observeRooms(1, [], ['cafe']))).toEqual(['resolve cafe: cafe has emptied'])
    // Back to the threshold is not enough: the margin is one person above it.
    expect(evaluator.observeRooms(2, [{ room: 'lobby', count: 5 }], [])).toEqual([])
    expect(words(evaluator.observeRooms(3, [{ room: 'lobby', count: 6 }], []))).toEqual([
      'resolve lobby: lobby is back to 6 people',
    ])
  })
})

describe('a room changing by more than X % in Y minutes', () => {
  const change = (fields: Record<string, unknown> = {}) =>
    rule({ kind: 'room-change', room: 'lobby', percent: 50, minutes: 5, atLeast: 10, ...fields })

  it('fires on a rise beyond the share within the window, and resolves once the window has moved past it', () => {
    const evaluator = new AlertEvaluator([change()])
    evaluator.observeRooms(0, [{ room: 'lobby', count: 100 }], [])
    expect(evaluator.observeRooms(1 * MIN, [{ room: 'lobby', count: 140 }], [])).toEqual([])
    expect(words(evaluator.observeRooms(2 * MIN, [{ room: 'lobby', count: 160 }], []))).toEqual([
      'fire lobby: lobby rose from 100 people to 160 (+60 %) within 5 min',
    ])
    // Still within five minutes of the change from 100: still true.
    expect(evaluator.observeRooms(5.5 * MIN, [{ room: 'lobby', count: 161 }], [])).toEqual([])
    // More than five minutes after it (and after 140), the room has held at about 160.
    expect(words(evaluator.observeRooms(8 * MIN, [{ room: 'lobby', count: 162 }], []))).toEqual([
      'resolve lobby: lobby has 162 people, within 40 % of its range over the last 5 min',
    ])
  })

  it('measures a rise that happened slowly, across the window, against where it started', () => {
    const evaluator = new AlertEvaluator([change({ minutes: 5 })])
    evaluator.observeRooms(0, [{ room: 'lobby', count: 100 }], [])
    let fired: AlertChange[] = []
    // +10 a minute: after five minutes the window spans 100 → 150, exactly 50 %, not more.
    for (let minute = 1; minute <= 5; minute++)
      fired = evaluator.observeRooms(minute * MIN, [{ room: 'lobby', count: 100 + minute * 10 }], [])
    expect(fired).toEqual([])
    // By the next minute 100 has left the window: 110 → 160 is under 50 %.
    expect(evaluator.observeRooms(6 * MIN + 30_000, [{ room: 'lobby', count: 160 }], [])).toEqual([])
  })

  it('fires on a fall, and ignores small rooms changing by few people', () => {
    const evaluator = new AlertEvaluator([change({ room: null })])
    evaluator.observeRooms(
      0,
      [
        { room: 'lobby', count: 200 },
        { room: 'tiny', count: 2 },
      ],
      [],
    )
    expect(
      words(
        evaluator.observeRooms(
          MIN,
          [
            { room: 'lobby', count: 60 },
            { room: 'tiny', count: 9 },
          ],
          [],
        ),
      ),
    ).toEqual(['fire lobby: lobby fell from 200 people to 60 (−70 %) within 5 min'])
  })

  it('counts a room appearing after the first sync as rising from no one', () => {
    const evaluator = new AlertEvaluator([change({ room: null })])
    evaluator.observeRooms(0, [{ room: 'lobby', count: 100 }], [])
    expect(words(evaluator.observeRooms(MIN, [{ room: 'stage', count: 30 }], []))).toEqual([
      'fire stage: stage rose from no one to 30 (+3,000 %) within 5 min',
    ])
  })

  it('does not fire on the first sync, which has no before', () => {
    const evaluator = new AlertEvaluator([change({ room: null })])
    expect(evaluator.observeRooms(0, [{ room: 'lobby', count: 5000 }], [])).toEqual([])
  })
})

describe('sync stale', () => {
  const stale = rule({ kind: 'sync-stale', seconds: 30 })
  const failing = (since: number, lastSuccessAt: number | null) =>
    ({ state: 'failing', lastSuccessAt, failingSince: since, error: 'Cannot reach the server' }) as const

  it('fires once data is older than the limit while syncs fail, and resolves on the next success', () => {
    const evaluator = new AlertEvaluator([stale])
    expect(evaluator.observeSync({ state: 'ok', lastSuccessAt: 0, failingSince: null, error: null }, 0)).toEqual([])
    expect(evaluator.observeSync(failing(5000, 0), 5000)).toEqual([])
    expect(evaluator.check(30_000)).toEqual([])
    expect(words(evaluator.check(31_000))).toEqual(['fire -: No successful sync for 31 s: Cannot reach the server'])
    expect(evaluator.check(60_000)).toEqual([])
    expect(
      words(evaluator.observeSync({ state: 'ok', lastSuccessAt: 61_000, failingSince: null, error: null }, 61_000)),
    ).toEqual(['resolve -: Sync works again'])
  })

  it('counts from the first failure when no sync has ever succeeded', () => {
    const evaluator = new AlertEvaluator([stale])
    evaluator.observeSync(failing(1000, null), 1000)
    expect(words(evaluator.check(40_000))).toEqual(['fire -: No sync has succeeded: Cannot reach the server'])
  })
})

describe('broadcaster failing', () => {
  const failingRule = rule({ kind: 'broadcast-failing', seconds: 5 })

  it('fires after failing for its grace time, and resolves after sending without failure for a while', () => {
    const evaluator = new AlertEvaluator([failingRule])
    evaluator.observeBroadcast({ state: 'on', error: null }, 0)
    evaluator.observeBroadcast({ state: 'failing', error: 'Rate limited' }, 1000)
    expect(evaluator.check(5999)).toEqual([])
    expect(words(evaluator.check(6000))).toEqual(['fire -: The broadcaster has been failing for 5 s: Rate limited'])
    // A send that works between failures does not resolve it at once.
    evaluator.observeBroadcast({ state: 'on', error: null }, 7000)
    evaluator.observeBroadcast({ state: 'failing', error: 'Rate limited' }, 8000)
    evaluator.observeBroadcast({ state: 'on', error: null }, 9000)
    expect(evaluator.check(9000 + BROADCAST_RESOLVE_HOLD_MS - 1)).toEqual([])
    expect(words(evaluator.check(9000 + BROADCAST_RESOLVE_HOLD_MS))).toEqual(['resolve -: The broadcaster sends again'])
  })

  it('resolves at once when broadcasting is switched off', () => {
    const evaluator = new AlertEvaluator([rule({ kind: 'broadcast-failing', seconds: 0 })])
    expect(words(evaluator.observeBroadcast({ state: 'failing', error: null }, 0))).toEqual([
      'fire -: The broadcaster has been failing',
    ])
    expect(words(evaluator.observeBroadcast({ state: 'off', error: null }, 1))).toEqual([
      'resolve -: Broadcasting is switched off',
    ])
  })
})

describe('rules changing, and alerts left open by a stop', () => {
  it('resolves the alerts of a removed, switched-off or changed rule, and re-evaluates a changed one', () => {
    const evaluator = new AlertEvaluator([above('lobby', 100)])
    evaluator.observeRooms(0, [{ room: 'lobby', count: 150 }], [])
    expect(words(evaluator.setRules([above('lobby', 120)], 1))).toEqual([
      'resolve lobby: The rule was changed',
      'fire lobby: lobby has 150 people, above 120',
    ])
    expect(words(evaluator.setRules([{ ...above('lobby', 120), enabled: false }], 2))).toEqual([
      'resolve lobby: The rule was switched off',
    ])
    expect(words(evaluator.setRules([above('lobby', 120)], 3))).toEqual(['fire lobby: lobby has 150 people, above 120'])
    expect(words(evaluator.setRules([], 4))).toEqual(['resolve lobby: The rule was removed'])
  })

  it('takes over an alert still true after a restart without firing again', () => {
    const evaluator = new AlertEvaluator([above('lobby', 100)])
    expect(evaluator.adopt([{ ruleId: 'r1', room: 'lobby' }], 0)).toEqual([])
    expect(evaluator.observeRooms(1, [{ room: 'lobby', count: 130 }], [])).toEqual([])
    expect(words(evaluator.observeRooms(2, [{ room: 'lobby', count: 20 }], []))).toEqual([
      'resolve lobby: lobby is down to 20 people',
    ])
  })

  it('resolves an alert no longer true when watching resumes, saying so', () => {
    const evaluator = new AlertEvaluator([above(null, 100), rule({ id: 'stale', kind: 'sync-stale', seconds: 10 })])
    evaluator.adopt(
      [
        { ruleId: 'r1', room: 'stage' },
        { ruleId: 'stale', room: null },
        { ruleId: 'gone', room: 'lobby' },
      ],
      0,
    )
    expect(words(evaluator.observeRooms(1, [{ room: 'lobby', count: 5 }], []))).toEqual([
      'resolve stage: No longer true when Headcount resumed watching: stage has no one',
    ])
    expect(words(evaluator.observeSync({ state: 'ok', lastSuccessAt: 1, failingSince: null, error: null }, 1))).toEqual(
      ['resolve -: No longer true when Headcount resumed watching: sync works'],
    )
  })

  it('resolves at once alerts of rules that no longer exist', () => {
    const evaluator = new AlertEvaluator([])
    expect(words(evaluator.adopt([{ ruleId: 'gone', room: 'lobby' }], 0))).toEqual([
      'resolve lobby: The rule was removed',
    ])
  })
})
