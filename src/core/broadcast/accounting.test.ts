import { describe, expect, it } from 'vitest'
import { MessageMeter, vanillaDeliveries } from './accounting.ts'

describe('vanillaDeliveries', () => {
  it('matches the emulator figures: everyone joining a room of 100 costs 5,050', () => {
    expect(vanillaDeliveries(100, 100, 0)).toBe(5050)
    // sum over k of (k others + 1 member list)
    expect(vanillaDeliveries(1000, 1000, 0)).toBe(500_500)
  })

  it('counts a leave to every remaining member and a join to every member plus the list', () => {
    expect(vanillaDeliveries(99, 0, 1)).toBe(99)
    expect(vanillaDeliveries(101, 1, 0)).toBe(101)
    // 1 %/s churn in a room of 100 for a second: 99 + 100 = 199 (README: 11,940 per minute)
    expect(vanillaDeliveries(100, 1, 1) * 60).toBe(11_940)
    expect(vanillaDeliveries(0, 0, 3)).toBe(2 + 1 + 0)
    expect(vanillaDeliveries(5, 0, 0)).toBe(0)
  })
})

describe('MessageMeter', () => {
  const day = Date.UTC(2026, 0, 2)

  it('counts today and resets at UTC midnight', () => {
    const meter = new MessageMeter(day + 86_400_000 - 5000)
    meter.add(10, day + 86_400_000 - 2000)
    expect(meter.today(day + 86_400_000 - 1)).toBe(10)
    meter.add(3, day + 86_400_000 + 10)
    expect(meter.today(day + 86_400_000 + 20)).toBe(3)
  })

  it('measures the rate over the last minute and projects a day from it', () => {
    const start = day + 1000
    const meter = new MessageMeter(start)
    for (let s = 0; s < 120; s++) meter.add(5, start + s * 1000)
    const now = start + 119_500
    expect(meter.perSecond(now)).toBe(5)
    expect(meter.projectedPerDay(now)).toBe(5 * 86_400)
    // Quiet for a minute: the rate falls to zero, the day's count stays.
    expect(meter.perSecond(now + 61_000)).toBe(0)
    expect(meter.today(now + 61_000)).toBe(600)
  })

  it('divides by the time since starting when that is shorter than a minute', () => {
    const meter = new MessageMeter(day)
    meter.add(20, day + 500)
    meter.add(20, day + 1500)
    expect(meter.perSecond(day + 2000)).toBe(20)
  })
})
