import type { ChartPoint } from '../../store/selectors.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const STEPS = [
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
]

/** This computer's offset from UTC at `t` (ms east of Greenwich). */
const localOffset = (t: number) => -new Date(t).getTimezoneOffset() * MINUTE

/**
 * Axis ticks at round times (whole minutes, hours, days on the clocks of the zone shown) inside
 * [from, to], at most `maxTicks` of them, so labels never crowd whatever the chart's width.
 * `offsetAt` is the zone's offset from UTC (the time format's `offsetMs`); this computer's by default.
 */
export function timeTicks(
  from: number,
  to: number,
  maxTicks: number,
  offsetAt: (t: number) => number = localOffset,
): number[] {
  if (!(to > from) || maxTicks < 1) return []
  const span = to - from
  const step = STEPS.find((candidate) => span / candidate <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY
  // Round on the zone's clocks so an hourly axis reads 14:00, 15:00 whatever the zone's offset.
  const offset = offsetAt(from)
  const first = Math.ceil((from + offset) / step) * step - offset
  const ticks: number[] = []
  for (let t = first; t <= to; t += step) ticks.push(t)
  return ticks
}

/** The value a step series holds at time t (the last point at or before t), or null before it starts. */
export function valueAt(points: readonly ChartPoint[], t: number): number | null {
  let low = 0
  let high = points.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if ((points[mid] as ChartPoint).t <= t) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found < 0 ? null : (points[found] as ChartPoint).value
}
