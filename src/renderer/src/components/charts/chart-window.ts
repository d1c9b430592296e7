import { LIVE_LEAD } from '../../lib/time-range.ts'

/**
 * The time window a chart draws: what was fetched, plus a little room on the right while live. It
 * changes only when a fetch lands, so recharts redraws with a fetch and never with a tick.
 */
export function chartWindow(chart: { from: number; to: number } | null, live: boolean): { from: number; to: number } {
  if (!chart) return { from: 0, to: 1 }
  return { from: chart.from, to: live ? Math.round(chart.to + (chart.to - chart.from) * LIVE_LEAD) : chart.to }
}
