import type { RoomSummaryView } from '../../../shared/presence.ts'
import { formatCount } from '../lib/format.ts'
import { groupColor } from './charts/palette.ts'
import { useThemeName } from './theme.tsx'

/** The room's groups now: one bar each, largest first, with count and share. */
export function GroupBreakdown({
  summary,
  synced,
  groupOrder,
}: {
  summary: RoomSummaryView | undefined
  /** False before the first sync: the groups are not known, which is not "nobody". */
  synced: boolean
  groupOrder: string[]
}) {
  const theme = useThemeName()
  const count = summary?.count ?? 0
  const groups = Object.entries(summary?.groups ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const ungrouped = count - groups.reduce((sum, [, n]) => sum + n, 0)
  if (ungrouped > 0 && groups.length > 0) groups.push(['(no group)', ungrouped])
  return (
    <section className="panel breakdown" aria-label="Groups now">
      <header className="panel-header">
        <h2>Groups now</h2>
      </header>
      {groups.length === 0 ? (
        <p className="chart-message">
          {!synced
            ? 'The groups are not known until the first sync.'
            : count
              ? 'This room’s channels carry no group.'
              : 'Nobody is here.'}
        </p>
      ) : (
        <ul className="breakdown-list">
          {groups.map(([group, n]) => (
            <li key={group} aria-label={`${group}: ${formatCount(n)}`}>
              <span className="breakdown-name">
                <span
                  className="swatch"
                  style={{ background: groupColor(theme, group, Math.max(0, groupOrder.indexOf(group))) }}
                  aria-hidden="true"
                />
                {group}
              </span>
              <span className="breakdown-bar" aria-hidden="true">
                <span
                  style={{
                    width: `${count ? (n / count) * 100 : 0}%`,
                    background: groupColor(theme, group, Math.max(0, groupOrder.indexOf(group))),
                  }}
                />
              </span>
              <span className="breakdown-count">{formatCount(n)}</span>
              <span className="breakdown-share">{count ? `${((n / count) * 100).toFixed(0)}%` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
