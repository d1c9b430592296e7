import { describe, expect, it } from 'vitest'
import { ChurnTracker, neededStep, PrecisionPolicy } from './precision-policy.ts'

/** 1 % of the room replaced a minute: as many joins as leaves, no drift. */
const churnOf = (size: number) => ({ events: (2 * size * 0.01) / 60, drift: 0 })

describe('adaptive precision', () => {
  it('keeps rooms under 100 exact whatever the budget', () => {
    const policy = new PrecisionPolicy()
    expect(policy.figures('a', 99, { events: 50, drift: 10 }, 0.0001, 6)).toBeNull()
  })

  it('keeps every room exact when the budget allows a publish per change', () => {
    const policy = new PrecisionPolicy()
    expect(policy.figures('a', 1_000, churnOf(1_000), 1, 0)).toBeNull()
  })

  it('widens the rounding as rooms grow and as the budget tightens', () => {
    const figures = (size: number, publishesPerSecond: number) =>
      new PrecisionPolicy().figures('r', size, churnOf(size), publishesPerSecond, 0)
    // At one publish a minute: 10k rounds to the tens or hundreds, a million to the thousands.
    const perMinute = 1 / 60
    const small = figures(10_000, perMinute)
    const large = figures(1_000_000, perMinute)
    expect(small).not.toBeNull()
    expect(large).not.toBeNull()
    expect(7 - (large ?? 0)).toBeGreaterThan(5 - (small ?? 0))
    // The same million at a hundredth of the budget loses a figure or more.
    expect(figures(1_000_000, perMinute / 100) ?? 0).toBeLessThan(large ?? 0)
    // Never fewer than two figures.
    expect(figures(1_000_000, 1e-9)).toBe(2)
  })

  it('drops a figure more per step of pressure', () => {
    const policy = new PrecisionPolicy()
    const calm = policy.figures('r', 100_000, churnOf(100_000), 0.1, 0) ?? 6
    expect(policy.figures('r', 100_000, churnOf(100_000), 0.1, 1)).toBe(calm - 1)
  })

  it('widens at once but narrows only once well under the next step (no flapping)', () => {
    const policy = new PrecisionPolicy()
    const wide = policy.figures('r', 500_000, { events: 100, drift: 0 }, 0.01, 0)
    // A little less churn: the step needed is smaller, but not half the next smaller one.
    expect(policy.figures('r', 500_000, { events: 60, drift: 0 }, 0.01, 0)).toBe(wide)
    // Far less: it narrows, back to exact once the room changes no more often than it may be published.
    expect(policy.figures('r', 500_000, { events: 0.005, drift: 0 }, 0.01, 0)).toBeNull()
    expect(policy.figures('r', 500_000, { events: 0.01, drift: 0 }, 0.01, 0) ?? 7).toBeGreaterThan(wide ?? 0)
  })

  it('sizes the step for the random walk and for a steady drift', () => {
    expect(neededStep({ events: 100, drift: 0 }, 1)).toBe(20)
    expect(neededStep({ events: 0, drift: 50 }, 0.5)).toBe(100)
    expect(neededStep({ events: 0.3, drift: 0.1 }, 1)).toBe(1)
    expect(neededStep({ events: 1, drift: 0 }, 0)).toBe(Number.POSITIVE_INFINITY)
  })

  it('measures joins and leaves a second per room', () => {
    const churn = new ChurnTracker(60_000)
    for (let second = 0; second < 600; second++) churn.observe('r', second * 1000, 3, 1)
    const rate = churn.rate('r', 600_000)
    expect(rate.events).toBeGreaterThan(3.6)
    expect(rate.events).toBeLessThan(4.4)
    expect(rate.drift).toBeGreaterThan(1.8)
    expect(rate.drift).toBeLessThan(2.2)
    expect(churn.rate('other', 0)).toEqual({ events: 0, drift: 0 })
  })
})
