import { describe, expect, it } from 'vitest'
import { Random } from './random.ts'

const draw = (random: Random, n: number): number[] => Array.from({ length: n }, () => random.uint32())

describe('Random', () => {
  it('repeats the same sequence for the same seed and stream', () => {
    expect(draw(new Random(42), 100)).toEqual(draw(new Random(42), 100))
    expect(draw(new Random(42, 3), 100)).toEqual(draw(new Random(42, 3), 100))
  })

  it('gives different sequences for different seeds and streams', () => {
    expect(draw(new Random(1), 10)).not.toEqual(draw(new Random(2), 10))
    expect(draw(new Random(1, 0), 10)).not.toEqual(draw(new Random(1, 1), 10))
  })

  it('stays in range and spreads evenly', () => {
    const random = new Random(7)
    const buckets = new Array<number>(10).fill(0)
    let low = 1
    let high = 0
    for (let i = 0; i < 100_000; i++) {
      const x = random.next()
      low = Math.min(low, x)
      high = Math.max(high, x)
      buckets[Math.floor(x * 10)]!++
    }
    expect(low).toBeGreaterThanOrEqual(0)
    expect(high).toBeLessThan(1)
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(600)
    for (let i = 0; i < 1000; i++) expect(random.int(3)).toBeOneOf([0, 1, 2])
  })

  it('rounds at random to the right average', () => {
    const random = new Random(9)
    let total = 0
    for (let i = 0; i < 10_000; i++) {
      const r = random.round(2.25)
      expect(r).toBeOneOf([2, 3])
      total += r
    }
    expect(total / 10_000).toBeCloseTo(2.25, 1)
  })
})
