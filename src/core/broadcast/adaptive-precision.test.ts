import { describe, expect, it } from 'vitest'
import { AdaptivePrecision } from './adaptive-precision.ts'
import { BudgetGate } from './budget.ts'

const NOON = Date.UTC(2026, 2, 4, 12)
const budget = { messagesPerDay: 1_000_000, plan: null }
const room = { room: 'hall', count: 1_000_000, groups: {} }

/** A gate refilled once (full), then drained to `share` of its capacity. */
function gateAt(share: number): BudgetGate {
  const gate = new BudgetGate(budget.messagesPerDay)
  gate.refill(NOON, 0, 0)
  gate.pay(gate.available - gate.capacity * share)
  return gate
}

describe('AdaptivePrecision', () => {
  it('keeps every room exact without a budget, and rounds a big churning room under a tight one', () => {
    const precision = new AdaptivePrecision()
    for (let second = 0; second < 60; second++) precision.churned('hall', NOON + second * 1000, 500, 500)
    expect(precision.figuresOf(null, 1000, 1_000_000, NOON + 60_000)(room)).toBeNull()
    // A million subscribers on a million a day: about one publish a day for the room.
    const figures = precision.figuresOf(budget, 1000, 1_000_001, NOON + 60_000)(room)
    expect(figures).not.toBeNull()
    // A room under 100 stays exact under the same budget.
    expect(
      precision.figuresOf(budget, 1000, 1_000_001, NOON + 60_000)({ room: 'den', count: 50, groups: {} }),
    ).toBeNull()
  })

  it('drops a figure at most every 30 s while changes wait and the bucket is low, and gives it back after 2 min of plenty', () => {
    const precision = new AdaptivePrecision()
    precision.adjust(NOON + 30_000, null, 5)
    expect(precision.pressure).toBe(0)
    precision.adjust(NOON + 30_000, gateAt(0.1), 5)
    expect(precision.pressure).toBe(1)
    precision.adjust(NOON + 40_000, gateAt(0.1), 5)
    expect(precision.pressure).toBe(1)
    precision.adjust(NOON + 60_000, gateAt(0.1), 5)
    expect(precision.pressure).toBe(2)
    // Nothing waits and the bucket is full, but not for 2 minutes yet.
    precision.adjust(NOON + 120_000, gateAt(0.9), 0)
    expect(precision.pressure).toBe(2)
    precision.adjust(NOON + 180_000, gateAt(0.9), 0)
    expect(precision.pressure).toBe(1)
    precision.release()
    expect(precision.pressure).toBe(0)
  })
})
