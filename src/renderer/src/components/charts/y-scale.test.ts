import { describe, expect, it } from 'vitest'
import { linearTicks, logTicks, roundStep, yScaleFor } from './y-scale.ts'

/** Whether every gap between ticks is 1, 2 or 5 × 10^k. */
function isRoundStep(step: number): boolean {
  const magnitude = 10 ** Math.floor(Math.log10(step))
  return [1, 2, 5].some((factor) => Math.abs(step - factor * magnitude) < magnitude * 1e-9)
}

describe('round-number ticks', () => {
  it('steps by 1, 2 or 5 × 10^k', () => {
    expect(roundStep(0.7, true)).toBe(1)
    expect(roundStep(1.5, true)).toBe(2)
    expect(roundStep(3, true)).toBe(5)
    expect(roundStep(6, true)).toBe(10)
    expect(roundStep(4_300, true)).toBe(5_000)
    expect(roundStep(0.013, false)).toBe(0.02)
    expect(roundStep(0.3, true)).toBe(1)
    expect(roundStep(0, true)).toBe(1)
  })

  it('replaces the issue’s 6,500 / 13k / 19.5k axis with round ticks over the highest value', () => {
    const ticks = linearTicks(24_600, 5, true)
    expect(ticks).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000])
  })

  it('always gives round steps, a top above the highest value, and at most the asked intervals', () => {
    for (const max of [0, 1, 3, 4, 7, 9, 10, 42, 97, 100, 999, 1_000, 1_001, 5_173, 65_432, 1_234_567]) {
      const ticks = linearTicks(max, 5, true)
      expect(ticks[0]).toBe(0)
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max)
      expect(ticks.length - 1).toBeLessThanOrEqual(5)
      expect(ticks.length).toBeGreaterThanOrEqual(2)
      for (let i = 1; i < ticks.length; i++) {
        expect(Number.isInteger(ticks[i])).toBe(true)
        expect(isRoundStep((ticks[i] as number) - (ticks[i - 1] as number))).toBe(true)
      }
    }
  })

  it('counts of a few people get whole-number ticks, never 0.5 of a person', () => {
    expect(linearTicks(0, 5, true)).toEqual([0, 1, 2, 3, 4])
    expect(linearTicks(3, 5, true)).toEqual([0, 1, 2, 3, 4])
  })

  it('shares are fractions with round percentage ticks', () => {
    const scale = yScaleFor('share', 0.37)
    expect(scale.ticks.map((tick) => tick.label)).toEqual(['0%', '10%', '20%', '30%', '40%'])
    expect(scale.top).toBeCloseTo(0.4)
    expect(yScaleFor('share', 0.013).ticks.map((tick) => tick.label)).toEqual(['0%', '0.5%', '1.0%', '1.5%'])
    expect(yScaleFor('share', 1).top).toBe(1)
  })

  it('a log scale shows 0 on the axis and powers of ten up to a round top', () => {
    expect(logTicks(24_600)).toEqual([0, 1, 10, 100, 1_000, 10_000, 50_000])
    expect(logTicks(0)).toEqual([0, 1, 2, 5, 10])
    expect(logTicks(40)).toEqual([0, 1, 2, 5, 10, 20, 50])
    const scale = yScaleFor('log', 24_600)
    expect(scale.transform(0)).toBe(0)
    expect(scale.ticks.map((tick) => tick.label)).toEqual(['0', '1', '10', '100', '1,000', '10k', '50k'])
    // Rooms of 10 and 10,000 are both readable: each decade takes the same height.
    expect(scale.transform(10_000) - scale.transform(1_000)).toBeCloseTo(
      scale.transform(1_000) - scale.transform(100),
      2,
    )
  })
})
