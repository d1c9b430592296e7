import type { ReactNode } from 'react'
import { formatAgo, formatCount, formatLatency, formatRate } from '../lib/format.ts'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { selectRates } from '../store/selectors.ts'

function Figure({ label, value, detail }: { label: string; value: ReactNode; detail: ReactNode }) {
  return (
    <div className="figure" role="group" aria-label={label}>
      <div className="figure-label">{label}</div>
      <div className="figure-value">{value}</div>
      <div className="figure-detail">{detail}</div>
    </div>
  )
}

const MODE_LABELS = { poll: 'Polling', webhook: 'Webhooks', hybrid: 'Hybrid' } as const

/** The headline figures across the app: what an operator checks at a glance. Fixed tiles, so nothing moves as they change. */
export function Figures() {
  const now = useNow(1000)
  const { total, roomCount, channels, unmatched, rateWindow, liveAt, rateSince, sync, demo, profiles, profileId } =
    useAppFields((state) => ({
      total: state.total,
      roomCount: state.rooms.size,
      channels: state.channels,
      unmatched: state.unmatched,
      rateWindow: state.rateWindow,
      liveAt: state.liveAt,
      rateSince: state.rateSince,
      sync: state.status?.sync ?? null,
      demo: state.status?.demo ?? false,
      profiles: state.profiles,
      profileId: state.status?.profileId ?? null,
    }))
  const rates = selectRates({ rateWindow, liveAt, rateSince })
  const pollInterval = profiles.find((profile) => profile.id === profileId)?.sync.pollIntervalSec
  const windowLabel =
    rates.joinsPerMinute === null
      ? 'measuring…'
      : rates.windowMs >= 59_000
        ? 'over the last minute'
        : `from the last ${Math.max(1, Math.round(rates.windowMs / 1000))} s`
  return (
    <section className="figures" aria-label="Headline figures">
      {/* Before the first sync nothing is known: "—", not 0. */}
      <Figure
        label="People present"
        value={liveAt === null ? '—' : formatCount(total)}
        detail={
          liveAt === null
            ? 'not synced yet'
            : `${formatCount(channels)} channels${unmatched ? ` · ${formatCount(unmatched)} unmatched` : ''}`
        }
      />
      <Figure
        label="Rooms"
        value={liveAt === null ? '—' : formatCount(roomCount)}
        detail={
          liveAt === null
            ? 'not synced yet'
            : roomCount
              ? `${formatRate(total / roomCount)} people per room`
              : 'none occupied'
        }
      />
      <Figure label="Joins per minute" value={formatRate(rates.joinsPerMinute)} detail={windowLabel} />
      <Figure label="Leaves per minute" value={formatRate(rates.leavesPerMinute)} detail={windowLabel} />
      <Figure
        label="Last sync"
        value={sync?.lastSuccessAt ? formatAgo(sync.lastSuccessAt, now) : '—'}
        detail={sync ? `latency ${formatLatency(sync.latencyMs)}` : 'not synced yet'}
      />
      <Figure
        label="Mode"
        value={sync ? MODE_LABELS[sync.mode] : '—'}
        detail={
          demo
            ? 'demo crowd'
            : sync?.mode === 'poll' && pollInterval
              ? `every ${pollInterval} s`
              : sync?.drift
                ? `drift ${formatCount(sync.drift.total)}`
                : ' '
        }
      />
    </section>
  )
}
