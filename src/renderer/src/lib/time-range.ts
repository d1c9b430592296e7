/** The time ranges charts show: presets that follow "now", or a fixed window (custom or zoomed). */

export const PRESETS = ['5m', '1h', '24h', '7d'] as const
export type Preset = (typeof PRESETS)[number]

export const PRESET_MS: Record<Preset, number> = {
  '5m': 5 * 60_000,
  '1h': 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
}

export const PRESET_LABELS: Record<Preset, string> = { '5m': '5 min', '1h': '1 h', '24h': '24 h', '7d': '7 d' }

export type TimeRange = { kind: 'preset'; preset: Preset } | { kind: 'fixed'; from: number; to: number }

/** The narrowest window worth zooming into: below this the history has nothing finer to show. */
export const MIN_SPAN_MS = 10_000

/** The window a range covers at `now`. */
export function resolveRange(range: TimeRange, now: number): { from: number; to: number } {
  if (range.kind === 'preset') return { from: now - PRESET_MS[range.preset], to: now }
  return { from: range.from, to: range.to }
}

/**
 * Whether the range follows "now" and so takes live updates: presets do. A fixed window (custom or
 * zoomed) stays where it is, even one that ended a moment ago, and the chart says it is not live.
 */
export function isLive(range: TimeRange): boolean {
  return range.kind === 'preset'
}

/**
 * Whether a chart fetched at `fetchedAt` should be fetched again at `now`: when time has moved by at
 * least one point's worth of the range (so a week's chart is not re-read every second), and never
 * more often than once a second.
 */
/** Room left after "now" on a live chart, as a share of its span: the live tail grows into it until the next fetch. */
export const LIVE_LEAD = 0.02

/**
 * A live chart is fetched again once the live tail has used most of its lead: between fetches the tail
 * shows the latest value, so redrawing every series (tens of milliseconds in recharts) at every point
 * step would only cost frames. Never more often than a point's width or a second.
 */
export function needsRefetch(range: TimeRange, points: number, fetchedAt: number | null, now: number): boolean {
  if (fetchedAt === null) return true
  if (!isLive(range)) return false
  const { from, to } = resolveRange(range, now)
  const perPoint = (to - from) / Math.max(points, 1)
  return now - fetchedAt >= Math.max(1000, perPoint, (to - from) * LIVE_LEAD * 0.75)
}

/** Zooming by a factor around a centre, kept inside [earliest, now]. */
export function zoomRange(from: number, to: number, factor: number, now: number): { from: number; to: number } {
  const centre = (from + to) / 2
  const span = Math.max(MIN_SPAN_MS, (to - from) * factor)
  let next = { from: Math.round(centre - span / 2), to: Math.round(centre + span / 2) }
  if (next.to > now) next = { from: Math.round(now - span), to: now }
  return next
}

/** The window a drag selected on a chart, in order, or null when too narrow to mean anything. */
export function selectionRange(a: number, b: number): { from: number; to: number } | null {
  const from = Math.min(a, b)
  const to = Math.max(a, b)
  return to - from >= MIN_SPAN_MS ? { from: Math.round(from), to: Math.round(to) } : null
}
