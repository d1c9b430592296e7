import type { PresenceEvent } from '../../../shared/presence.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'

/** Recent joins and leaves, newest first, in a box of fixed height. */
export function PresenceFeed({ events }: { events: PresenceEvent[] }) {
  const time = useTimeFormat()
  return (
    <section className="panel feed-panel" aria-label="Recent joins and leaves">
      <header className="panel-header">
        <h2>Recent joins and leaves</h2>
      </header>
      {events.length === 0 ? (
        <p className="chart-message">Nothing since Headcount started watching.</p>
      ) : (
        <ol className="feed" aria-label="Joins and leaves, newest first">
          {events.map((event) => (
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
