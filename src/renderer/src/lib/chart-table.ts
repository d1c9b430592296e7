import { csvRecord, isoTime, type CsvValue } from '../../../shared/csv.ts'

/**
 * The data behind a chart as a table: a column per series drawn (its label and colour, for the
 * picture's legend too) and a row per time, a value per column; null where the series has no data
 * (a gap, or before it starts), never a made-up 0.
 */
export interface ChartTable {
  columns: { key: string; label: string; color: string }[]
  rows: { t: number; values: (number | null)[] }[]
}

interface LineInput {
  key: string
  label: string
  color: string
  points: readonly { t: number; value: number | null }[]
}

interface StackedInput {
  keys: readonly { key: string; label: string; color: string }[]
  rows: readonly Record<string, number | null>[]
}

/** The values drawn after the fetched series, at the latest sync (the chart's live tail). */
interface TailInput {
  at: number
  values: Record<string, number>
}

/**
 * Step lines as one table: every time any series has a point, each series' own value at exactly that
 * time (blank where it has no point then: the lines are drawn from points, and the CSV says what was
 * drawn). The live tail, when drawn, is the last row.
 */
export function tableOfLines(lines: readonly LineInput[], tail?: TailInput | null): ChartTable {
  const byTime = new Map<number, (number | null)[]>()
  const rowAt = (t: number) => {
    let row = byTime.get(t)
    if (!row) {
      row = Array.from({ length: lines.length }, () => null)
      byTime.set(t, row)
    }
    return row
  }
  lines.forEach((line, column) => {
    for (const point of line.points) rowAt(point.t)[column] = point.value
  })
  const rows = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, values]) => ({ t, values }))
  const last = rows.at(-1)?.t ?? -Infinity
  if (tail && tail.at > last) rows.push({ t: tail.at, values: lines.map((line) => tail.values[line.key] ?? null) })
  return { columns: lines.map(({ key, label, color }) => ({ key, label, color })), rows }
}

/** Stacked areas (a room's groups) as one table, the live tail last when drawn. */
export function tableOfStacked(stacked: StackedInput, tail?: TailInput | null): ChartTable {
  const rows = stacked.rows.map((row) => ({
    t: row.t as number,
    values: stacked.keys.map(({ key }) => row[key] ?? null),
  }))
  const last = rows.at(-1)?.t ?? -Infinity
  if (tail && tail.at > last) rows.push({ t: tail.at, values: stacked.keys.map(({ key }) => tail.values[key] ?? null) })
  return { columns: stacked.keys.map(({ key, label, color }) => ({ key, label, color })), rows }
}

/** The table as RFC 4180 CSV: `time` in ISO 8601 UTC (as every export), then a column per series. */
export function chartTableCsv(table: ChartTable): string {
  let text = csvRecord(['time', ...table.columns.map((column) => column.label)])
  for (const row of table.rows) text += csvRecord([isoTime(row.t), ...row.values] as CsvValue[])
  return text
}

/** A file name for a chart's export: "headcount-overview-2026-03-04T14-03-07Z.png" (the time in UTC). */
export function chartFileName(subject: string, at: number, extension: 'png' | 'csv'): string {
  const safe = subject.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'chart'
  const stamp = isoTime(at).slice(0, 19).replaceAll(':', '-')
  return `headcount-${safe}-${stamp}Z.${extension}`
}
