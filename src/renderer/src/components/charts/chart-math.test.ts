import { describe, expect, it } from 'vitest'
import { timeTicks, valueAt } from './chart-math.ts'

describe('chart math', () => {
  it('puts at most the asked number of ticks at round times', () => {
    const from = new Date(2026, 0, 1, 13, 7, 12).getTime()
    const ticks = timeTicks(from, from + 3_600_000, 6)
    expect(ticks.length).toBeLessThanOrEqual(6)
    expect(ticks.length).toBeGreaterThan(2)
    for (const t of ticks) {
      expect(new Date(t).getSeconds()).toBe(0)
      expect(new Date(t).getMinutes() % 10).toBe(0)
    }
    expect(timeTicks(10, 5, 6)).toEqual([])
    expect(timeTicks(0, 7 * 86_400_000, 8).length).toBeLessThanOrEqual(8)
  })

  it('reads a step series at any time', () => {
    const points = [
      { t: 10, value: 1 },
      { t: 20, value: null },
      { t: 30, value: 3 },
    ]
    expect(valueAt(points, 5)).toBeNull()
    expect(valueAt(points, 10)).toBe(1)
    expect(valueAt(points, 25)).toBeNull()
    expect(valueAt(points, 99)).toBe(3)
    expect(valueAt([], 1)).toBeNull()
  })
})
