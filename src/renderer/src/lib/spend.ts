import type { SpendBucket } from '../../../shared/broadcast.ts'
import type { TimeFormat } from './time-format.ts'

const DAY_MS = 86_400_000

/** Midnight of the day holding `now` in the console's time zone (Settings → Time zone). */
export function dayStart(now: number, time: Pick<TimeFormat, 'offsetMs'>): number {
  const offsetNow = time.offsetMs(now)
  const sinceMidnight = (((now + offsetNow) % DAY_MS) + DAY_MS) % DAY_MS
  const start = now - sinceMidnight
  // On a day the clocks change, midnight's offset is not now's.
  return start - (time.offsetMs(start) - offsetNow)
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
