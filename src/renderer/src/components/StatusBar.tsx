import { engineLabel } from '../../../shared/engine-choice.ts'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatAgo, formatLatency } from '../lib/format.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { selectFreshness, selectStatusLine } from '../store/selectors.ts'

const MODE_LABELS = { poll: 'poll', webhook: 'webhooks', hybrid: 'hybrid' } as const

/** One line at the bottom: connection state, mode, last sync, and a plain-words error while something is wrong. */
export function StatusBar() {
  const now = useNow(1000)
  const time = useTimeFormat()
  const { link, linkProblem, status, info, engine } = useAppFields((state) => ({
    link: state.link,
    linkProblem: state.linkProblem,
    status: state.status,
    info: state.info,
    engine: state.engine,
  }))
  const line = selectStatusLine({ link, status, linkProblem })
  const freshness = selectFreshness({ link, status })
  const sync = status?.sync ?? null
  return (
    <footer className="status-bar" role="status" aria-label="Status bar" aria-live="polite" data-tone={line.tone}>
      <span className={`status-dot tone-${line.tone}`} aria-hidden="true" />
      <span className="status-text" data-tone={line.tone}>
        {line.text}
      </span>
      {sync && (
        <span className="status-item" aria-label="Sync mode">
          {MODE_LABELS[sync.mode]}
          {status?.demo ? ' · demo' : ''}
        </span>
      )}
      {sync && (
        <span className={freshness.stale ? 'status-item stale-text' : 'status-item'} aria-label="Last sync">
          {sync.lastSuccessAt === null
            ? 'not synced yet'
            : freshness.stale
              ? `stale since ${time.clock(sync.lastSuccessAt)}`
              : `synced ${formatAgo(sync.lastSuccessAt, now)} · ${formatLatency(sync.latencyMs)}`}
        </span>
      )}
      <span className="status-spacer" />
      {engine?.shell === 'desktop' ? (
        <span className="status-meta" aria-label="Engine shown">
          Headcount{info ? ` ${info.version}` : ''} · desktop · {engineLabel(engine)}
        </span>
      ) : (
        info && (
          <span className="status-meta" aria-label="Runtime">
            Headcount {info.version} · web mode
          </span>
        )
      )}
    </footer>
  )
}
