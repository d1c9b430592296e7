import { describe, expect, it } from 'vitest'
import { SPEND_BUCKET_MS, type SpendBucket } from '../../../shared/broadcast.ts'
import { localDayStart, spendSince } from './spend.ts'

const bucket = (start: number, messages: number): SpendBucket => ({
  start,
  requests: 0,
  events: 0,
  deliveries: 0,
  messages,
  vanilla: 0,
})

describe('spend in the console', () => {
  it('sums the quarter-hours from a day start on, whatever the zone (a :30 offset is two buckets)', () => {
    const midnightUtc = Date.UTC(2026, 2, 4)
    const buckets = [-2, -1, 0, 1, 2].map((i) => bucket(midnightUtc + i * SPEND_BUCKET_MS, 10 + i))
    expect(spendSince(buckets, 'messages', midnightUtc)).toBe(10 + 11 + 12)
    // A zone at UTC+05:30 starts its day 22 quarter-hours before UTC midnight… and one at UTC-00:30 two after.
    expect(spendSince(buckets, 'messages', midnightUtc + 2 * SPEND_BUCKET_MS)).toBe(12)
    expect(spendSince(buckets, 'messages', midnightUtc - 2 * SPEND_BUCKET_MS)).toBe(8 + 9 + 10 + 11 + 12)
  })

  it('starts the local day at local midnight', () => {
    const now = new Date(2026, 2, 4, 15, 30).getTime()
    expect(localDayStart(now)).toBe(new Date(2026, 2, 4).getTime())
  })
})
