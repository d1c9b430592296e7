/**
 * A seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator from
 * PractRand). It is fast in plain 32-bit integer arithmetic, passes the usual statistical batteries, and
 * the same seed always gives the same sequence, which is what makes crowds repeatable.
 */
export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  /** `stream` picks an independent sequence for the same seed, so one part of the simulation (say the
   * friend graph) can draw numbers without shifting the sequence another part (churn) sees. */
  constructor(seed: number, stream = 0) {
    // Spread the seed over the four words of state with an integer hash; a raw small seed such as 1
    // would otherwise start sfc32 in a low-entropy state.
    let state = (seed ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0
    const word = (): number => {
      state = (state + 0x9e3779b9) | 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad)
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97)
      return (z ^ (z >>> 15)) >>> 0
    }
    this.#a = word()
    this.#b = word()
    this.#c = word()
    this.#d = word()
    // The first outputs still correlate with the seed; discard them.
    for (let i = 0; i < 12; i++) this.uint32()
  }

  /** The next 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0
    this.#d = (this.#d + 1) | 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) | 0
    this.#c = (this.#c << 21) | (this.#c >>> 11)
    this.#c = (this.#c + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** An integer in [0, n); n at most 2^32. The bias of scaling is below 2^-32 per value, invisible here. */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** `x` rounded down or up at random so that, on average, the result equals `x` (for counts per step). */
  round(x: number): number {
    const whole = Math.floor(x)
    return whole + (this.next() < x - whole ? 1 : 0)
  }
}

/** A random 32-bit seed for runs where the operator gave none (it is printed, so the run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296)
}
