import { describe, expect, it } from 'vitest'
import { digitsOf, isRoundedAt, roundingError, roundToFigures, stepAt } from './precision.ts'

describe('rounding to significant figures', () => {
  it('counts digits of whole numbers', () => {
    expect([0, 9, 10, 99, 100, 1_000_000, 999_999].map(digitsOf)).toEqual([1, 1, 2, 2, 3, 7, 6])
  })

  it('rounds half up at the given figures and leaves shorter numbers exact', () => {
    expect(roundToFigures(1_234_567, 2)).toBe(1_200_000)
    expect(roundToFigures(1_250_000, 2)).toBe(1_300_000)
    expect(roundToFigures(1_000_003, 4)).toBe(1_000_000)
    expect(roundToFigures(999_600, 3)).toBe(1_000_000)
    expect(roundToFigures(87, 2)).toBe(87)
    expect(roundToFigures(0, 2)).toBe(0)
    expect(stepAt(1_234_567, 2)).toBe(100_000)
    expect(isRoundedAt(87, 2)).toBe(false)
    expect(isRoundedAt(870, 2)).toBe(true)
  })

  it('is never further off than the rounding error it reports', () => {
    for (let value = 0; value < 200_000; value += 37) {
      for (const figures of [2, 3, 4]) {
        expect(Math.abs(roundToFigures(value, figures) - value)).toBeLessThanOrEqual(roundingError(value, figures))
      }
    }
    expect(roundingError(1_234_567, null)).toBe(0)
    expect(roundingError(1_234_567, 2)).toBe(50_000)
  })
})
