import { useState } from 'react'
import type { PresenceEvent } from '../../../shared/presence.ts'
import { useNow } from '../hooks/use-now.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { formatCount } from '../lib/format.ts'
import { RECENT_WINDOW_MS } from '../store/slices/live-slice.ts'

/**
 * A room's joins and leaves of the last minutes, newest first, in a box of fixed height: filtered to
 * joins, leaves or both, and to users whose id contains the text typed. `events` holds at most
 * `limit`; when it is full, the oldest of the window were left out, and the heading says so.
 */
export function PresenceFeed({
  events,
  limit,
  since,
}: {
  events: PresenceEvent[]
  limit: number
  /** Since when the engine has every join and leave (its first sync, say): a window shorter than 10 minutes. */
  since: number | null
}) {
  const now = useNow(5000)
  const [joins, setJoins] = useState(true)
  const [leaves, setLeaves] = useState(true)
  const [user, setUser] = useState('')
  const needle = user.trim().toLowerCase()
  const shown = events.filter(
    (event) => (event.type === 'join' ? joins : leaves) && (needle === '' || event.user.toLowerCase().includes(needle)),
  )
  const time = useTimeFormat()
  return (
    <section className="panel feed-panel" aria-label="Recent joins and leaves">
      <header className="panel-header">
        <h2>
          Joins and leaves{' '}
          <span className="muted">
            {events.length >= limit
              ? `· the latest ${formatCount(limit)}`
              : since !== null && since > now - RECENT_WINDOW_MS
                ? `· since ${time.clock(since)}`
                : `· last ${Math.round(RECENT_WINDOW_MS / 60_000)} min`}
          </span>
        </h2>
        <div className="feed-filters" role="group" aria-label="Show">
          <label>
            <input type="checkbox" checked={joins} onChange={(event) => setJoins(event.target.checked)} /> Joins
          </label>
          <label>
            <input type="checkbox" checked={leaves} onChange={(event) => setLeaves(event.target.checked)} /> Leaves
          </label>
          <input
            type="search"
            className="search"
            placeholder="User"
            aria-label="Joins and leaves of user"
            value={user}
            onChange={(event) => setUser(event.target.value)}
          />
        </div>
      </header>
      {shown.length === 0 ? (
        <p className="chart-message">
          {events.length === 0
            ? 'Nobody joined or left in the last minutes while Headcount watched.'
            : 'Nothing matches these filters.'}
        </p>
      ) : (
        // Focusable, so the keyboard can scroll it.
        <ol className="feed" aria-label="Joins and leaves, newest first" tabIndex={0}>
          {shown.map((event) => (
            <li key={`${event.type}|${event.user}|${event.at}`} className={`feed-item feed-${event.type}`}>
              <span className="feed-time">{time.clock(event.at)}</span>
              <span className="feed-mark" aria-hidden="true">
                {event.type === 'join' ? '+' : '−'}
              </span>
              <span className="feed-user" title={event.user}>
                {event.user}
              </span>
              <span className="feed-what">
                {event.type === 'join' ? 'joined' : 'left'}
                {event.group ? ` · ${event.group}` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
