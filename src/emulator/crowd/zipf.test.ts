import { describe, expect, it } from 'vitest'
import { Random } from './random.ts'
import { ZipfSampler } from './zipf.ts'

function histogram(sampler: ZipfSampler, draws: number, seed = 1): number[] {
  const random = new Random(seed)
  const counts = new Array<number>(sampler.size).fill(0)
  for (let i = 0; i < draws; i++) counts[sampler.sample(random)]!++
  return counts
}

describe('ZipfSampler', () => {
  it('makes the first index clearly the most popular and the median far smaller', () => {
    const counts = histogram(new ZipfSampler(20, 1.1), 100_000)
    const sorted = [...counts].sort((a, b) => a - b)
    const median = sorted[10] as number
    expect(counts[0]).toBe(Math.max(...counts))
    expect(counts[0]!).toBeGreaterThan(5 * median)
    // Counts fall with rank, apart from noise between neighbours far down the tail.
    expect(counts[0]!).toBeGreaterThan(counts[1]!)
    expect(counts[1]!).toBeGreaterThan(counts[4]!)
    expect(counts[4]!).toBeGreaterThan(counts[19]!)
  })

  it('matches the Zipf probabilities', () => {
    const sampler = new ZipfSampler(5, 1)
    const harmonic = 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5
    expect(sampler.probability(0)).toBeCloseTo(1 / harmonic, 10)
    expect(sampler.probability(4)).toBeCloseTo(1 / 5 / harmonic, 10)
    const counts = histogram(sampler, 200_000)
    counts.forEach((count, i) => expect(count / 200_000).toBeCloseTo(sampler.probability(i), 2))
  })

  it('is uniform with exponent 0', () => {
    const counts = histogram(new ZipfSampler(4, 0), 40_000)
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })

  it('refuses nonsense', () => {
    expect(() => new ZipfSampler(0, 1)).toThrow(RangeError)
    expect(() => new ZipfSampler(3, -1)).toThrow(RangeError)
    expect(() => new ZipfSampler(3, Number.NaN)).toThrow(RangeError)
  })
})
