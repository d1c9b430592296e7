import { useEffect, useState } from 'react'
import type { ShownSummary } from '../../../../shared/broadcast.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { formatAgo, formatApprox, formatCount } from '../../lib/format.ts'
import { useAppStore } from '../../store/context.tsx'
import { topRooms } from '../../store/selectors.ts'

function pretty(data: string): string {
  try {
    return JSON.stringify(JSON.parse(data), null, 2)
  } catch {
    return data
  }
}

/** What a room's participants read now, how old it is and how far off it may be. */
function ShownNow({ shown, now }: { shown: ShownSummary; now: number }) {
  return (
    <dl className="shown-summary" aria-label="What participants see">
      <div>
        <dt>Participants see</dt>
        <dd className="shown-value">{formatApprox(shown.count, shown.precision)}</dd>
      </div>
      <div>
        <dt>Precision</dt>
        <dd>
          {shown.precision === null
            ? 'exact'
            : `${shown.precision} significant figures, ±${formatCount(shown.roundingError)} from rounding`}
        </dd>
      </div>
      <div>
        <dt>Published</dt>
        <dd>{formatAgo(shown.publishedAt, now)}</dd>
      </div>
      <div>
        <dt>True count now</dt>
        <dd>
          {formatCount(shown.countNow)}
          {shown.offBy > 0 ? ` (shown value off by ${formatCount(shown.offBy)})` : ' (shown value is right)'}
        </dd>
      </div>
      {shown.precisionNow !== shown.precision && (
        <div>
          <dt>Published at now</dt>
          <dd>{shown.precisionNow === null ? 'exact' : `${shown.precisionNow} figures`}</dd>
        </div>
      )}
      {shown.waiting && (
        <div>
          <dt>Next summary</dt>
          <dd>{shown.waiting}</dd>
        </div>
      )}
    </dl>
  )
}

/**
 * The last summary a chosen room actually got, exactly as sent, and what its participants see now;
 * refreshed at every broadcast tick. Before any was sent, the summary it would get.
 */
export function PayloadPreview({ tickAt, now }: { tickAt: number | null; now: number }) {
  const { answer, loadPayloadPreview } = useAppFields((state) => ({
    answer: state.payloadPreview,
    loadPayloadPreview: state.loadPayloadPreview,
  }))
  const names = useAppStore((state) => topRooms(state.rooms.values(), 200).join('\n'))
  const rooms = names ? names.split('\n') : []
  const [chosen, setChosen] = useState<string | null>(null)
  const room = chosen ?? rooms[0] ?? null
  const [version, setVersion] = useState(0)
  useEffect(() => {
    if (room) void loadPayloadPreview(room)
  }, [room, loadPayloadPreview, version, tickAt])
  // The last answer stays up while a refresh of the same room is on its way.
  const preview = answer && answer.room === room ? answer.outcome : null
  return (
    <section className="panel" aria-label="Payload preview">
      <header className="panel-header">
        <h2>Payload preview</h2>
        <div className="view-actions">
          <select aria-label="Room to preview" value={room ?? ''} onChange={(event) => setChosen(event.target.value)}>
            {rooms.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <button type="button" className="ghost-button" onClick={() => setVersion((v) => v + 1)}>
            Refresh
          </button>
        </div>
      </header>
      {!room ? (
        <p className="chart-message">No occupied room to preview.</p>
      ) : !preview ? (
        <p className="chart-message">Loading…</p>
      ) : !preview.ok ? (
        <p className="field-error" role="alert">
          {preview.error.message}
        </p>
      ) : (
        <>
          {preview.value.problem && (
            <p className="banner banner-warning" role="note">
              {preview.value.problem}
            </p>
          )}
          {preview.value.shown && <ShownNow shown={preview.value.shown} now={now} />}
          <p className="field-hint" aria-label="Preview source">
            {preview.value.source === 'sent'
              ? 'The last summary the server accepted for this room, exactly as sent:'
              : 'Nothing sent to this room yet; it would get:'}
          </p>
          {preview.value.events.map((event, index) => (
            <div key={index} className="payload">
              <div className="payload-head mono">
                channel <strong>{event.channel}</strong> · event <strong>{event.event}</strong> ·{' '}
                {formatCount(event.bytes)} bytes
              </div>
              <pre className="payload-body" aria-label={`Data sent to ${event.channel}`}>
                {pretty(event.data)}
              </pre>
            </div>
          ))}
        </>
      )}
    </section>
  )
}
