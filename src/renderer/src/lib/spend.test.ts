import { describe, expect, it } from 'vitest'
import { SPEND_BUCKET_MS, type SpendBucket } from '../../../shared/broadcast.ts'
import { dayStart, spendSince } from './spend.ts'
import { timeFormatForZone } from './time-format.ts'

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

  it("starts the day at the chosen zone's midnight, also on a day the clocks change", () => {
    const utc = timeFormatForZone('UTC')
    expect(dayStart(Date.UTC(2026, 2, 4, 15, 30), utc)).toBe(Date.UTC(2026, 2, 4))
    const kolkata = timeFormatForZone('Asia/Kolkata')
    // 02:00 UTC is 07:30 in Kolkata, whose midnight was 18:30 UTC the day before.
    expect(dayStart(Date.UTC(2026, 2, 4, 2, 0), kolkata)).toBe(Date.UTC(2026, 2, 3, 18, 30))
    const paris = timeFormatForZone('Europe/Paris')
    // 29 March 2026: Paris goes from UTC+1 to UTC+2 at 02:00; its midnight was 23:00 UTC on the 28th.
    expect(dayStart(Date.UTC(2026, 2, 29, 20, 0), paris)).toBe(Date.UTC(2026, 2, 28, 23, 0))
    // 25 October 2026: back from UTC+2 to UTC+1; that day's midnight was 22:00 UTC on the 24th.
    expect(dayStart(Date.UTC(2026, 9, 25, 20, 0), paris)).toBe(Date.UTC(2026, 9, 24, 22, 0))
  })
})
