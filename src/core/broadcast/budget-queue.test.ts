import { describe, expect, it } from 'vitest'
import { BudgetQueue, type Costed, roomCosts } from './budget-queue.ts'
import { RoomChannels } from './room-channels.ts'
import type { SummaryReason } from './summaries.ts'

const NOON = Date.UTC(2026, 2, 4, 12)

const item = (room: string, reason: SummaryReason, cost: number, urgency = 0): Costed => {
  const summary = { room, count: cost - 1, groups: {} }
  return { planned: { summary, shown: summary, figures: null, reason, urgency }, cost }
}

/** A queue under `perDay` whose gate holds `level` messages. */
function queueHolding(perDay: number, level: number): BudgetQueue {
  const queue = new BudgetQueue()
  queue.setBudget({ messagesPerDay: perDay, plan: null }, null)
  const gate = queue.gate
  if (gate === null) throw new Error('no gate')
  gate.refill(NOON, 0, 0)
  gate.pay(gate.available - level)
  return queue
}

describe('BudgetQueue', () => {
  it('pays the most urgent first: emptied rooms, first values cheapest first, then the most wrong', () => {
    const queue = queueHolding(1_000_000, 10_000)
    const sent: string[] = []
    const spend = { estimated: 0 }
    const all = queue.pay(
      [
        item('changed-a', 'changed', 10, 1),
        item('first-big', 'first', 30),
        item('changed-b', 'changed', 10, 5),
        item('emptied', 'emptied', 5),
        item('first-small', 'first', 20),
      ],
      NOON,
      0,
      30,
      spend,
      (paid) => sent.push(paid.planned.summary.room),
    )
    expect(all).toBe(true)
    expect(sent).toEqual(['emptied', 'first-small', 'first-big', 'changed-b', 'changed-a'])
    expect(spend.estimated).toBe(75)
  })

  it('stops at the first change it cannot pay: the rest waits (and says why), heartbeats go only from a surplus', () => {
    const queue = queueHolding(1_000_000, 100)
    const sent: string[] = []
    const all = queue.pay(
      [
        item('a', 'changed', 60, 3),
        item('b', 'changed', 60, 2),
        item('c', 'changed', 10, 1),
        item('h', 'heartbeat', 5),
      ],
      NOON,
      0,
      60,
      { estimated: 0 },
      (paid) => sent.push(paid.planned.summary.room),
    )
    expect(all).toBe(false)
    expect(sent).toEqual(['a'])
    expect(queue.waiting).toBe(2)
    expect(queue.waitingFor('b')).toMatch(/^waiting for the budget \(60 messages, 40 available\)$/)
    expect(queue.waitingFor('c')).toBe(queue.waitingFor('b'))
    expect(queue.waitingFor('h')).toBeNull()
  })

  it('sets aside a summary no day could pay, and reports the budget in the status', () => {
    const queue = queueHolding(1_000, 1_000)
    queue.pay([item('huge', 'changed', 5_000)], NOON, 0, 0, { estimated: 0 }, () => {})
    const budget = { messagesPerDay: 1_000, plan: null }
    const status = queue.status(budget, NOON, 400, 0, 2, 5)
    expect(status).toMatchObject({
      messagesPerDay: 1_000,
      spentToday: 400,
      remainingToday: 600,
      resetsAt: Date.UTC(2026, 2, 5),
      projectedToday: 400,
      pressure: 2,
      waiting: 0,
      unaffordable: { count: 1, examples: [{ room: 'huge', cost: 5_000 }] },
    })
    // No budget: no gate, nothing in the status.
    queue.setBudget(null, budget)
    expect(queue.gate).toBeNull()
    expect(queue.status(null, NOON, 0, 0, 0, 5)).toBeNull()
  })

  it('prices one summary to every room, and the costliest one a day can pay', () => {
    const channels = new RoomChannels('{room}')
    const rooms = [
      { room: 'a', count: 10, groups: {} },
      { room: 'b', count: 2_000, groups: {} },
    ]
    expect(roomCosts(rooms, null, channels, 1)).toEqual({ total: 0, largest: 0 })
    expect(roomCosts(rooms, { messagesPerDay: 1_000, plan: null }, channels, 1)).toEqual({ total: 2_012, largest: 11 })
    channels.report('a', 50)
    expect(roomCosts(rooms, { messagesPerDay: 1e6, plan: null }, channels, 2)).toEqual({
      total: 2_054,
      largest: 2_002,
    })
  })
})
