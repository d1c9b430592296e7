import { useEffect, useState } from 'react'
import { useAppFields } from '../../hooks/use-store.ts'
import { formatCount } from '../../lib/format.ts'
import { useAppStore } from '../../store/context.tsx'
import { topRooms } from '../../store/selectors.ts'

function pretty(data: string): string {
  try {
    return JSON.stringify(JSON.parse(data), null, 2)
  } catch {
    return data
  }
}

/** The exact event the broadcaster would send for a chosen room, now. */
export function PayloadPreview() {
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
  }, [room, loadPayloadPreview, version])
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
