import type { BroadcastStatus } from '../../../../shared/broadcast.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { formatCount, formatPerDay } from '../../lib/format.ts'
import { dayStart, spendSince } from '../../lib/spend.ts'

function perSecond(value: number): string {
  return value < 10 ? value.toFixed(1) : formatCount(value)
}

const SUBSCRIBERS: Record<BroadcastStatus['subscribers'], string> = {
  participants: 'estimated: each room’s participants',
  reported: 'as the server reported each channel’s subscribers',
  'not-reported': 'estimated: the server reports no subscription counts',
}

/**
 * What broadcasting costs, kept apart: events published (what Headcount sends) and deliveries (what
 * they cost once fanned out to subscribers), billed together as messages. "Today" is the day in the
 * console's time zone (Settings), summed from the engine's quarter-hours; the budget runs on Pusher's
 * day (UTC).
 */
export function BroadcastFigures({ status, now }: { status: BroadcastStatus; now: number }) {
  const time = useTimeFormat()
  const since = dayStart(now, time)
  const today = (key: 'messages' | 'events' | 'deliveries' | 'vanilla') => spendSince(status.spend, key, since)
  const ours = status.projectedPerDay
  const vanilla = status.vanillaPresence.projectedPerDay
  const saving = vanilla !== null && vanilla > 0 && status.projectionBasis !== 'none' ? 1 - ours / vanilla : null
  const budget = status.budget
  const measured = status.measured
  return (
    <section className="figures figures-explained" aria-label="Broadcast figures">
      <div className="figure" role="group" aria-label="Events published">
        <div className="figure-label">Events published</div>
        <div className="figure-value">{formatPerDay(today('events'))}</div>
        <div className="figure-detail">
          today · {perSecond(status.eventsPerSecond)}/s in {status.requestsPerSecond.toFixed(1)} req/s
          {/* With no request there is no batch to average: nothing, not 0.0. */}
          {status.requestsPerSecond > 0 && ` (${status.eventsPerRequest.toFixed(1)} per batch)`}
        </div>
      </div>
      <div className="figure" role="group" aria-label="Deliveries">
        <div className="figure-label">Deliveries</div>
        <div className="figure-value">{formatPerDay(today('deliveries'))}</div>
        <div className="figure-detail">
          today · {perSecond(status.deliveriesPerSecond)}/s, {SUBSCRIBERS[status.subscribers]}
        </div>
      </div>
      <div className="figure" role="group" aria-label="Messages today">
        <div className="figure-label">Messages today</div>
        <div className="figure-value">{formatPerDay(today('messages'))}</div>
        <div className="figure-detail">
          events + deliveries, as Pusher bills them; {formatPerDay(status.messagesToday)} in Pusher’s day (UTC)
        </div>
      </div>
      <div className="figure" role="group" aria-label="Messages per day">
        <div className="figure-label">Per day</div>
        <div className="figure-value">{status.projectionBasis === 'none' ? '—' : formatPerDay(ours)}</div>
        <div className="figure-detail">
          {status.projectionBasis === 'sending'
            ? 'at the last minute’s steady rate'
            : status.projectionBasis === 'dry-run'
              ? 'if switched on now: a dry run of these settings on the live crowd'
              : 'no projection until the first sync'}
        </div>
      </div>
      {budget && (
        <div className="figure" role="group" aria-label="Budget">
          <div className="figure-label">Budget used</div>
          <div className="figure-value">{Math.round((budget.spentToday / budget.messagesPerDay) * 1000) / 10}%</div>
          <div className="figure-detail">
            of {formatPerDay(budget.messagesPerDay)} in Pusher’s day (UTC) · {formatPerDay(budget.remainingToday)} left
            · ≈{formatPerDay(budget.projectedToday)} by {time.clock(budget.resetsAt)}
            {budget.waiting > 0 ? ` · ${formatCount(budget.waiting)} rooms waiting` : ''}
            {budget.pressure > 0 ? ` · ${budget.pressure} figure${budget.pressure > 1 ? 's' : ''} dropped` : ''}
          </div>
        </div>
      )}
      <div className="figure" role="group" aria-label="Vanilla presence per day">
        <div className="figure-label">Presence / day</div>
        <div className="figure-value">{vanilla === null ? '—' : formatPerDay(vanilla)}</div>
        <div className="figure-detail">
          {vanilla === null
            ? 'no join or leave seen since the first sync yet'
            : `${formatPerDay(today('vanilla'))} today, same crowd, same joins and leaves`}
        </div>
      </div>
      <div className="figure" role="group" aria-label="Saving against presence channels">
        <div className="figure-label">Saving</div>
        <div className="figure-value">
          {saving === null ? '—' : `${(Math.max(0, saving) * 100).toFixed(saving > 0.999 ? 2 : 1)}%`}
        </div>
        <div className="figure-detail">
          {saving === null
            ? vanilla === null
              ? 'no joins or leaves yet'
              : 'no projection yet'
            : saving >= 0
              ? 'fewer messages than presence'
              : 'more than presence'}
        </div>
      </div>
      {measured && (
        <div className="figure" role="group" aria-label="Measured by the emulator">
          <div className="figure-label">Emulator’s count</div>
          <div className="figure-value">{formatPerDay(measured.emulatorMessages)}</div>
          <div className="figure-detail">
            messages since {time.clock(measured.since)}, exact; Headcount counted{' '}
            {formatPerDay(measured.headcountMessages)}
          </div>
        </div>
      )}
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
