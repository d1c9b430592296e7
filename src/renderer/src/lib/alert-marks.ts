import type { AlertEntry } from '../../../shared/alerts.ts'
import type { ChartBand } from '../components/charts/ChartBands.tsx'

/**
 * The alert log as bands on a chart: every alert on the overview; on a room's chart, that room's and
 * the connection-wide ones (stale sync, failing broadcaster), which concern every room.
 */
export function alertMarks(log: readonly AlertEntry[] | null, room?: string): ChartBand[] {
  if (!log) return []
  const marks: ChartBand[] = []
  for (const entry of log) {
    if (room !== undefined && entry.room !== null && entry.room !== room) continue
    marks.push({
      id: String(entry.id),
      at: entry.firedAt,
      until: entry.resolvedAt,
      label: entry.rule,
      description: `Alert ${entry.rule}, ${entry.resolvedAt === null ? 'firing' : 'resolved'}`,
    })
  }
  // Oldest first, so the newest is drawn on top.
  return marks.reverse()
}
