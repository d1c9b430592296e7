import { describe, expect, it } from 'vitest'
import { BudgetGate, DAY_MS, utcDayStart } from './budget.ts'
import { seededRandom } from '../../shared/seeded-random.ts'

const MIDNIGHT = Date.UTC(2026, 2, 4)

describe('the budget gate', () => {
  it('starts full to its bound, never beyond what the day has left', () => {
    const gate = new BudgetGate(960_000)
    gate.refill(MIDNIGHT + 3_600_000, 0, 0)
    // A quarter of an hour's worth of the day's budget.
    expect(gate.available).toBe(10_000)
    const late = new BudgetGate(960_000)
    late.refill(MIDNIGHT + 3_600_000, 955_000, 0)
    expect(late.available).toBe(5_000)
  })

  it('grows to hold the costliest room, and says when a room can never be paid', () => {
    const gate = new BudgetGate(4_000_000)
    gate.refill(MIDNIGHT, 0, 1_000_001)
    expect(gate.capacity).toBeCloseTo(1_100_001.1)
    expect(gate.canPay(1_000_001, 0)).toBe(true)
    expect(gate.affordable(4_000_001)).toBe(false)
    expect(gate.canPay(1_000_001, 3_500_000)).toBe(false)
  })

  it('refills at the pace that spreads what is left over the rest of the day', () => {
    const gate = new BudgetGate(86_400_000)
    gate.refill(MIDNIGHT, 0, 0)
    gate.pay(gate.available)
    gate.refill(MIDNIGHT + 10_000, 900_000, 0)
    // About 1,000 a second: what is left of the day over the seconds left.
    expect(gate.refillPerSecond).toBeGreaterThan(980)
    expect(gate.refillPerSecond).toBeLessThan(1_010)
    expect(gate.available).toBeGreaterThan(9_500)
    expect(gate.available).toBeLessThan(10_100)
  })

  it('over long random runs never lets a UTC day spend more than the budget, nor a window more than its bound and twice the pace', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed)
      const perDay = 10_000 + Math.floor(random() * 5_000_000)
      const gate = new BudgetGate(perDay)
      const spentByDay = new Map<number, number>()
      const payments: Array<{ at: number; cost: number }> = []
      let now = MIDNIGHT + Math.floor(random() * DAY_MS)
      const end = now + 3 * DAY_MS
      let largest = 0
      while (now < end) {
        now += 1 + Math.floor(random() * (random() < 0.1 ? 600_000 : 5_000))
        const day = utcDayStart(now)
        const spent = spentByDay.get(day) ?? 0
        // Rooms of every size: most small, some taking a good share of the day.
        const cost = 1 + Math.floor(random() ** 4 * perDay * 0.6)
        largest = Math.max(largest, gate.affordable(cost) ? cost : 0)
        gate.refill(now, spent, largest)
        if (gate.canPay(cost, spent)) {
          gate.pay(cost)
          payments.push({ at: now, cost })
          spentByDay.set(day, spent + cost)
          // Some sends fail, and are given back.
          if (random() < 0.05) {
            gate.refund(cost)
            payments.pop()
            spentByDay.set(day, spent)
          }
        }
        expect(gate.available).toBeGreaterThanOrEqual(0)
        expect(gate.available).toBeLessThanOrEqual(gate.capacity + 1e-6)
      }
      for (const spent of spentByDay.values()) expect(spent).toBeLessThanOrEqual(perDay)
      expect(payments.length).toBeGreaterThan(10)
      // Any hour: at most the bucket's largest bound plus twice the day's even pace.
      const bound = Math.min(perDay, Math.max(perDay / 96, largest * 1.1))
      let total = 0
      let first = 0
      for (const payment of payments) {
        total += payment.cost
        while ((payments[first]?.at ?? 0) <= payment.at - 3_600_000) total -= payments[first++]?.cost ?? 0
        expect(total).toBeLessThanOrEqual(bound + (2 * perDay) / 24 + 1e-6)
      }
    }
  }, 60_000)
})
