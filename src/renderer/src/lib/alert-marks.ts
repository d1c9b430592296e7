import type { AlertEntry } from '../../../shared/alerts.ts'
import type { ChartMark } from '../components/charts/ChartMarks.tsx'

/**
 * The alert log as marks on a chart: every alert on the overview; on a room's chart, that room's and
 * the connection-wide ones (stale sync, failing broadcaster), which concern every room.
 */
export function alertMarks(log: readonly AlertEntry[] | null, room?: string): ChartMark[] {
  if (!log) return []
  const marks: ChartMark[] = []
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
