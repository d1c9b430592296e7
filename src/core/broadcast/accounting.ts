// Message accounting: how many messages went out today (UTC) and at what rate, and how many vanilla
// presence channels would have delivered for the same joins and leaves.

const DAY_MS = 86_400_000
/** The rate is measured over this many one-second buckets. */
const WINDOW_SECONDS = 60

/** A count for the current UTC day plus a one-minute sliding rate. */
export class MessageMeter {
  private day = -1
  private todayCount = 0
  private readonly buckets = new Float64Array(WINDOW_SECONDS)
  private readonly bucketSecond = new Float64Array(WINDOW_SECONDS).fill(-1)
  private readonly startedAt: number

  constructor(now: number) {
    this.startedAt = now
  }

  add(count: number, now: number): void {
    this.rollDay(now)
    this.todayCount += count
    const second = Math.floor(now / 1000)
    const slot = second % WINDOW_SECONDS
    if (this.bucketSecond[slot] !== second) {
      this.bucketSecond[slot] = second
      this.buckets[slot] = 0
    }
    this.buckets[slot] = (this.buckets[slot] as number) + count
  }

  today(now: number): number {
    this.rollDay(now)
    return this.todayCount
  }

  /** Per second over the last minute (or since starting, if that is shorter). */
  perSecond(now: number): number {
    const second = Math.floor(now / 1000)
    let sum = 0
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      const at = this.bucketSecond[slot] as number
      if (at > second - WINDOW_SECONDS && at <= second) sum += this.buckets[slot] as number
    }
    const elapsed = Math.min(WINDOW_SECONDS, Math.max(1, (now - this.startedAt) / 1000))
    return sum / elapsed
  }

  /** At the rate of the last minute, per day. */
  projectedPerDay(now: number): number {
    return this.perSecond(now) * 86_400
  }

  private rollDay(now: number): void {
    const day = Math.floor(now / DAY_MS)
    if (day !== this.day) {
      this.day = day
      this.todayCount = 0
    }
  }
}

/**
 * Messages vanilla presence would deliver in a room that ends at `sizeAfter` members after `joins`
 * joins and `leaves` leaves (order unknown within one sync: leaves are taken first). Each leave reaches
 * every remaining member (member_removed); each join reaches every member already there (member_added)
 * and brings the joiner the member list (subscription_succeeded).
 */
export function vanillaDeliveries(sizeAfter: number, joins: number, leaves: number): number {
  const before = sizeAfter - joins + leaves
  const fromLeaves = leaves * before - (leaves * (leaves + 1)) / 2
  const base = sizeAfter - joins
  const fromJoins = joins * base + (joins * (joins - 1)) / 2 + joins
  return Math.max(0, fromLeaves) + Math.max(0, fromJoins)
}
