import type { Random } from './random.ts'

/**
 * Draws indexes 0..n-1 with Zipf-like weights 1/(i+1)^exponent: index 0 is the most popular, and an
 * exponent of 0 makes every index equally likely. A cumulative table and a binary search keep a draw at
 * O(log n), so a million members over thousands of rooms is assigned in milliseconds.
 */
export class ZipfSampler {
  readonly size: number
  readonly #cumulative: Float64Array

  constructor(size: number, exponent: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a Zipf sampler needs at least one index, got ${size}`)
    if (!Number.isFinite(exponent) || exponent < 0)
      throw new RangeError(`a Zipf exponent must be 0 or more, got ${exponent}`)
    this.size = size
    this.#cumulative = new Float64Array(size)
    let total = 0
    for (let i = 0; i < size; i++) {
      total += 1 / Math.pow(i + 1, exponent)
      this.#cumulative[i] = total
    }
  }

  /** The share of draws index `i` gets on average. */
  probability(i: number): number {
    const cumulative = this.#cumulative
    const total = cumulative[this.size - 1] as number
    return ((cumulative[i] as number) - (i > 0 ? (cumulative[i - 1] as number) : 0)) / total
  }

  sample(random: Random): number {
    const cumulative = this.#cumulative
    const target = random.next() * (cumulative[this.size - 1] as number)
    let low = 0
    let high = this.size - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((cumulative[middle] as number) > target) high = middle
      else low = middle + 1
    }
    return low
  }
}
