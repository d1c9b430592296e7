// The message budget's gate: a token bucket that fills over Pusher's day (UTC) and a hard cap on the
// day's total. Nothing is paid that either can't cover, so the broadcaster never spends past its
// budget, whatever it estimates (DESIGN §6, docs/broadcasting.md "The message budget").

export const DAY_MS = 86_400_000

/** The bucket holds at least this share of the daily budget: a quarter of an hour's worth. */
const BURST_SHARE = 1 / 96
/** …and at least this much more than the costliest room, so that room can always be paid in one go. */
const FAN_OUT_HEADROOM = 1.1
/** The bucket fills at most this many times the day's even pace (unspent budget carries over, slowly). */
const MAX_PACE = 2

/** Start of the UTC day holding `at`. */
export function utcDayStart(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS
}

export class BudgetGate {
  readonly perDay: number
  private level = 0
  private bound: number
  private rate = 0
  private refilledAt: number | null = null

  constructor(perDay: number) {
    this.perDay = perDay
    this.bound = this.capacityFor(0)
  }

  /** What may be spent now. */
  get available(): number {
    return this.level
  }

  get capacity(): number {
    return this.bound
  }

  /** Messages per second the bucket fills at (set by the last `refill`). */
  get refillPerSecond(): number {
    return this.rate
  }

  /** The bucket's bound when the costliest room costs `largestCost`: never more than the day's budget. */
  capacityFor(largestCost: number): number {
    return Math.min(this.perDay, Math.max(this.perDay * BURST_SHARE, largestCost * FAN_OUT_HEADROOM))
  }

  /**
   * Fills the bucket for the time since the last call. The pace spreads what is left of the day's budget
   * (less what the bucket already holds) over what is left of the day, up to twice the even pace: a
   * day that started quiet may spend faster later, one that ran ahead slows down.
   */
  refill(now: number, spentToday: number, largestCost: number): void {
    this.bound = this.capacityFor(largestCost)
    if (this.refilledAt === null) {
      // The first time, the bucket starts full, but never holds more than the day has left (the
      // ledger's spend survives restarts, so restarting gives no fresh burst beyond the day's budget).
      this.level = Math.min(this.bound, Math.max(0, this.perDay - spentToday))
      this.refilledAt = now
    }
    const elapsed = Math.max(0, now - this.refilledAt) / 1000
    this.refilledAt = now
    const secondsLeft = Math.max(1, (utcDayStart(now) + DAY_MS - now) / 1000)
    const unallocated = Math.max(0, this.perDay - spentToday - this.level)
    this.rate = Math.min(unallocated / secondsLeft, (MAX_PACE * this.perDay) / 86_400)
    this.level = Math.min(this.bound, this.level + this.rate * elapsed)
  }

  /** Whether `cost` can be paid now: the bucket holds it and the day's total stays within the budget. */
  canPay(cost: number, spentToday: number): boolean {
    return cost <= this.level && spentToday + cost <= this.perDay
  }

  /** Whether `cost` could ever be paid: a whole day's budget covers it (the bucket then grows to hold it). */
  affordable(cost: number): boolean {
    return cost <= this.perDay
  }

  pay(cost: number): void {
    this.level -= cost
  }

  /** Gives back what was paid for events the server did not accept. */
  refund(cost: number): void {
    this.level = Math.min(this.bound, this.level + cost)
  }
}
