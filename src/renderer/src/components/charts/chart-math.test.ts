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

  it('puts ticks on round times of the zone shown', () => {
    const from = Date.parse('2026-01-15T10:20:00Z')
    const utcTicks = timeTicks(from, from + 6 * 3_600_000, 6, () => 0)
    expect(utcTicks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '11:00',
      '12:00',
      '13:00',
      '14:00',
      '15:00',
      '16:00',
    ])
    // India is 5 h 30 ahead: its whole hours fall on the half hour in UTC.
    const indiaTicks = timeTicks(from, from + 6 * 3_600_000, 6, () => 5.5 * 3_600_000)
    expect(indiaTicks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '10:30',
      '11:30',
      '12:30',
      '13:30',
      '14:30',
      '15:30',
    ])
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
