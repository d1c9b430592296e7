import type { SpendBucket } from '../../../shared/broadcast.ts'

/** Midnight of the local day holding `now` (the console's time zone). */
export function localDayStart(now: number): number {
  const day = new Date(now)
  day.setHours(0, 0, 0, 0)
  return day.getTime()
}

/**
 * A total of the engine's spend buckets from `since` on. The buckets are UTC quarter-hours, so a day
 * starting at any time zone's midnight is a whole number of them.
 */
export function spendSince(
  buckets: readonly SpendBucket[],
  key: keyof Omit<SpendBucket, 'start'>,
  since: number,
): number {
  let total = 0
  for (const bucket of buckets) if (bucket.start >= since) total += bucket[key]
  return total
}
