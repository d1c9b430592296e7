import { bucketize, isMostlyGap } from './buckets.ts'
import { parseGroups, withoutRepeats, type Step } from './steps.ts'
import type { GroupSeriesPoint, SeriesPoint } from '../../shared/history.ts'

/**
 * Points for a chart of a step function, never more than `maxPoints`.
 *
 * When the range holds no more changes than that (and no roll-up minute whose min and max differ),
 * every change comes back exactly. Otherwise the
 * range is cut into ⌊maxPoints/2⌋ equal buckets and each gives its minimum and its maximum, at the
 * times they occurred: min/max buckets rather than LTTB because a count chart must never hide a peak
 * or a dip (LTTB keeps the visually salient points of a line and may drop a short spike), because
 * they are exact over step functions and 1-minute roll-ups alike (a roll-up already knows its minute's
 * min and max), and because the cost is one pass. A bucket that gaps cover at least half of is a
 * `null` point.
 */
export function downsampleSeries(steps: readonly Step[], from: number, to: number, maxPoints: number): SeriesPoint[] {
  const exact = exactPoints(steps, maxPoints)
  if (exact) return exact
  const perBucket = maxPoints >= 2 ? 2 : 1
  const buckets = Math.max(1, Math.floor(maxPoints / perBucket))
  const points: SeriesPoint[] = []
  const push = (t: number, value: number | null) => {
    const last = points.at(-1)
    if (last && last.value === value) return
    points.push({ t: Math.round(t), value })
  }
  for (const bucket of bucketize(steps, { from, to, origin: from, width: (to - from) / buckets })) {
    if (isMostlyGap(bucket)) push(bucket.start, null)
    else if (bucket.covered === 0) continue
    else if (perBucket === 1) push(bucket.hiT, bucket.hi)
    else if (bucket.loT <= bucket.hiT) {
      push(bucket.loT, bucket.lo)
      push(bucket.hiT, bucket.hi)
    } else {
      push(bucket.hiT, bucket.hi)
      push(bucket.loT, bucket.lo)
    }
  }
  return points
}

/** Every change as a point, or `null` when there are more than `maxPoints` of them. */
function exactPoints(steps: readonly Step[], maxPoints: number): SeriesPoint[] | null {
  const points: SeriesPoint[] = []
  for (const step of withoutRepeats(steps)) {
    // A roll-up minute's min and max cannot be one point: leave those ranges to the buckets.
    if (step.kind === 'value' && step.lo !== step.hi) return null
    const value = step.kind === 'value' ? step.value : null
    // Nothing is drawn before the first thing known; later unknown stretches are breaks like gaps.
    if (points.length === 0 && step.kind === 'unknown') continue
    if (points.length > 0 && points.at(-1)?.value === value) continue
    if (points.length === maxPoints) return null
    points.push({ t: step.t, value })
  }
  return points
}

/**
 * Points for a stacked chart of a room's groups, at most `maxPoints`: every change when they fit,
 * else one point per bucket showing the groups at the bucket's peak (so the stack reaches the same
 * height as the count chart's maximum).
 */
export function downsampleGroups(
  steps: readonly Step[],
  from: number,
  to: number,
  maxPoints: number,
): GroupSeriesPoint[] {
  const points: GroupSeriesPoint[] = []
  let exact = true
  for (const step of withoutRepeats(steps)) {
    if (points.length === 0 && step.kind === 'unknown') continue
    if (points.length === maxPoints) {
      exact = false
      break
    }
    points.push(
      step.kind === 'value'
        ? { t: step.t, total: step.value, groups: parseGroups(step.groups) }
        : { t: step.t, total: null, groups: {} },
    )
  }
  if (exact) return dropRepeatedNulls(points)
  points.length = 0
  for (const bucket of bucketize(steps, { from, to, origin: from, width: (to - from) / maxPoints })) {
    if (isMostlyGap(bucket)) points.push({ t: Math.round(bucket.start), total: null, groups: {} })
    else if (bucket.covered > 0)
      points.push({ t: Math.round(bucket.hiT), total: bucket.hi, groups: parseGroups(bucket.hiGroups) })
  }
  return dropRepeatedNulls(points)
}

function dropRepeatedNulls(points: GroupSeriesPoint[]): GroupSeriesPoint[] {
  return points.filter((point, index) => point.total !== null || points[index - 1]?.total !== null || index === 0)
}
