import { bucketize } from './buckets.ts'
import { MINUTE_MS, withoutRepeats, type RollupRow, type Step } from './steps.ts'

/**
 * 1-minute roll-ups of a step function over [from, to) (both on minute boundaries), one row per
 * minute in which the value changed: its min and max (counting the value carried in), its
 * time-weighted mean, and its last value. Minutes without a row hold the previous row's last value,
 * which is what keeps 90 days of 10,000 mostly-steady rooms small. Gaps are not consulted here: they
 * are kept as long as the roll-ups and laid over them when read.
 */
export function rollUp(steps: Iterable<Step>, from: number, to: number): RollupRow[] {
  const rows: RollupRow[] = []
  for (const bucket of bucketize(withoutRepeats(steps), { from, to, origin: from, width: MINUTE_MS })) {
    if (bucket.changes === 0 || bucket.covered === 0 || bucket.last === null) continue
    rows.push({
      minute: bucket.start,
      min: bucket.lo,
      max: bucket.hi,
      avg: bucket.weighted / bucket.covered,
      last: bucket.last,
      groups: bucket.lastGroups,
    })
  }
  return rows
}
