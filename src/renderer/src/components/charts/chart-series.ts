import type { ChartPoint } from '../../store/selectors.ts'
import { PALETTE, seriesColor, type ThemeName } from './palette.ts'

/** Dash patterns after the palette's colours run out: solid, then dashed, then dotted. */
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 2]]

/** The colour and dash of the nth room's line: twenty rooms stay told apart with eight colours. */
export function roomLineStyle(theme: ThemeName, index: number): { color: string; dash?: number[] } {
  const colours = PALETTE[theme].series.length
  return { color: seriesColor(theme, index), dash: DASHES[Math.floor(index / colours) % DASHES.length] }
}

/**
 * A step series carried to `end`: the last value holds until then, so every line of a chart ends at
 * the same instant instead of at its own last change. A series ending in a gap (null) stays ended.
 */
export function extendTo(points: readonly ChartPoint[], end: number): readonly ChartPoint[] {
  const last = points.at(-1)
  if (!last || last.value === null || last.t >= end) return points
  return [...points, { t: end, value: last.value }]
}

/**
 * A room's share of everyone present, over time: at every change of either series, room ÷ total.
 * Unknown (null) where either is unknown, and where nobody at all is present (a share of nothing).
 */
export function shareOf(room: readonly ChartPoint[], total: readonly ChartPoint[]): ChartPoint[] {
  const shares: ChartPoint[] = []
  let i = 0
  let j = 0
  let roomValue: number | null = null
  let totalValue: number | null = null
  while (i < room.length || j < total.length) {
    const t = Math.min(room[i]?.t ?? Infinity, total[j]?.t ?? Infinity)
    while (i < room.length && (room[i] as ChartPoint).t === t) roomValue = (room[i++] as ChartPoint).value
    while (j < total.length && (total[j] as ChartPoint).t === t) totalValue = (total[j++] as ChartPoint).value
    const value = roomValue === null || totalValue === null || totalValue <= 0 ? null : roomValue / totalValue
    if (shares.at(-1)?.value !== value || shares.length === 0) shares.push({ t, value })
  }
  return shares
}

/**
 * The points of a step series that no line would show: a value with no value before or after it (the
 * first sync of a chart, or one reading between two gaps). Charts draw them as dots.
 */
export function lonePoints(points: readonly ChartPoint[]): ChartPoint[] {
  const lone: ChartPoint[] = []
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as ChartPoint
    if (point.value === null) continue
    if ((points[i - 1]?.value ?? null) !== null || (points[i + 1]?.value ?? null) !== null) continue
    lone.push(point)
  }
  return lone
}

type StackedRow = Record<string, number | null>

function isGapRow(row: StackedRow): boolean {
  return Object.entries(row).some(([key, value]) => key !== 't' && value === null)
}

/**
 * A stacked chart's rows as its step areas must be drawn: recharts draws an area between two points and
 * nothing for one point followed by a gap, so a value that holds until a gap (the reading before a
 * restart, when nothing changed) gets a row at the gap's start, and, in a fixed window (`end` not null),
 * the last value a row at `end`. Only for drawing: the chart's table keeps the stored changes.
 */
export function stepRows(rows: readonly StackedRow[], end: number | null): StackedRow[] {
  const drawn: StackedRow[] = []
  let previous: StackedRow | null = null
  for (const row of rows) {
    if (previous && isGapRow(row) && !isGapRow(previous) && (previous.t ?? 0) < (row.t ?? 0))
      drawn.push({ ...previous, t: row.t ?? null })
    drawn.push(row)
    previous = row
  }
  if (end !== null && previous && !isGapRow(previous) && (previous.t ?? 0) < end) drawn.push({ ...previous, t: end })
  return drawn
}
