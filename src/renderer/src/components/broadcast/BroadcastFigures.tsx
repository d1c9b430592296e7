import type { BroadcastStatus } from '../../../../shared/broadcast.ts'
import { formatCompact, formatCount } from '../../lib/format.ts'

function perDay(value: number): string {
  return value >= 10_000 ? formatCompact(value) : formatCount(value)
}

/** What broadcasting costs now, and what vanilla presence channels would have cost for the same crowd. */
export function BroadcastFigures({ status }: { status: BroadcastStatus }) {
  const ours = status.projectedPerDay
  const vanilla = status.vanillaPresence.projectedPerDay
  const saving = vanilla > 0 ? 1 - ours / vanilla : null
  return (
    <section className="figures" aria-label="Broadcast figures">
      <div className="figure" role="group" aria-label="Messages per second">
        <div className="figure-label">Messages / s</div>
        <div className="figure-value">
          {status.messagesPerSecond < 10 ? status.messagesPerSecond.toFixed(1) : formatCount(status.messagesPerSecond)}
        </div>
        <div className="figure-detail">
          {status.requestsPerSecond.toFixed(1)} req/s · {status.eventsPerRequest.toFixed(1)} per batch
        </div>
      </div>
      <div className="figure" role="group" aria-label="Messages today">
        <div className="figure-label">Messages today</div>
        <div className="figure-value">{perDay(status.messagesToday)}</div>
        <div className="figure-detail">{formatCount(status.eventsToday)} events published</div>
      </div>
      <div className="figure" role="group" aria-label="Messages per day">
        <div className="figure-label">Per day</div>
        <div className="figure-value">{perDay(ours)}</div>
        <div className="figure-detail">{status.enabled ? 'at the last minute’s rate' : 'broadcasting is off'}</div>
      </div>
      <div className="figure" role="group" aria-label="Vanilla presence per day">
        <div className="figure-label">Presence / day</div>
        <div className="figure-value">{perDay(vanilla)}</div>
        <div className="figure-detail">{perDay(status.vanillaPresence.today)} today, same crowd</div>
      </div>
      <div className="figure" role="group" aria-label="Saving against presence channels">
        <div className="figure-label">Saving</div>
        <div className="figure-value">
          {saving === null ? '—' : `${(Math.max(0, saving) * 100).toFixed(saving > 0.999 ? 2 : 1)}%`}
        </div>
        <div className="figure-detail">
          {saving === null
            ? 'no joins or leaves yet'
            : saving >= 0
              ? 'fewer messages than presence'
              : 'more than presence'}
        </div>
      </div>
      <div className="figure" role="group" aria-label="Rooms published">
        <div className="figure-label">Rooms published</div>
        <div className="figure-value">{formatCount(status.rooms)}</div>
        <div className="figure-detail">
          {status.lastTickMs === null ? 'no tick yet' : `last tick ${status.lastTickMs.toFixed(1)} ms`}
        </div>
      </div>
    </section>
  )
}
