/** How finely a window is kept: its span in this many buckets. */
const BUCKETS = 30

/**
 * The lowest and highest value a count had over the last `spanMs`, in fixed memory: the span is cut
 * into 30 buckets, each keeping its min and max. A value that held unchanged from before the window
 * is the current value, which every query includes, so a step function needs only its changes.
 * Resolution is a thirtieth of the span (10 s for a 5-minute window): a change is forgotten between
 * `spanMs` and `spanMs` plus one bucket after it happened.
 */
export class MinMaxWindow {
  private readonly width: number
  private readonly lows = new Float64Array(BUCKETS)
  private readonly highs = new Float64Array(BUCKETS)
  /** Which bucket (time / width) each slot holds; -1 for none yet. */
  private readonly epochs = new Float64Array(BUCKETS).fill(-1)

  constructor(spanMs: number) {
    this.width = Math.max(1, spanMs / BUCKETS)
  }

  /** The count was `value` at `at` (a change, or the value it changed from). */
  record(at: number, value: number): void {
    const epoch = Math.floor(at / this.width)
    const slot = epoch % BUCKETS
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch
      this.lows[slot] = value
      this.highs[slot] = value
      return
    }
    if (value < (this.lows[slot] as number)) this.lows[slot] = value
    if (value > (this.highs[slot] as number)) this.highs[slot] = value
  }

  /** Whether nothing was recorded during the whole window ending at `at`. */
  isIdle(at: number): boolean {
    const newest = Math.floor(at / this.width)
    return this.epochs.every((epoch) => epoch <= newest - BUCKETS)
  }

  /** The extremes over the window ending at `at`, with `current` (the value now) included. */
  extremes(at: number, current: number): { low: number; high: number } {
    const newest = Math.floor(at / this.width)
    let low = current
    let high = current
    for (let slot = 0; slot < BUCKETS; slot++) {
      const epoch = this.epochs[slot] as number
      if (epoch < 0 || epoch > newest || epoch <= newest - BUCKETS) continue
      if ((this.lows[slot] as number) < low) low = this.lows[slot] as number
      if ((this.highs[slot] as number) > high) high = this.highs[slot] as number
    }
    return { low, high }
  }
}
