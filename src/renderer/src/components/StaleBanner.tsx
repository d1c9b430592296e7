import { useState } from 'react'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatAgo } from '../lib/format.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { selectFreshness } from '../store/selectors.ts'

/**
 * The one loud thing on screen: shown only while the figures may be out of date, with what went wrong,
 * what to do, and when the data was last good. Everything else greys out beneath it.
 */
export function StaleBanner() {
  const now = useNow(1000)
  const time = useTimeFormat()
  const { link, linkProblem, status, syncNow, remoteShown } = useAppFields((state) => ({
    link: state.link,
    linkProblem: state.linkProblem,
    status: state.status,
    syncNow: state.syncNow,
    remoteShown: state.engine?.shell === 'desktop' && state.engine.shown.kind === 'remote',
  }))
  const [retrying, setRetrying] = useState(false)
  const freshness = selectFreshness({ link, status, linkProblem })
  if (!freshness.stale || !freshness.problem || (!status?.profileId && link !== 'closed')) return null
  // A shared server's lost link has its own banner, with what to do about it.
  if (remoteShown && link !== 'open') return null
  const attempts = status?.sync?.error?.attempts
  return (
    <div className="banner banner-stale" role="alert" aria-label="Data is stale">
      <div>
        <strong>Data is stale.</strong>{' '}
        {freshness.lastGoodAt !== null
          ? `Last good sync at ${time.clock(freshness.lastGoodAt)} (${formatAgo(freshness.lastGoodAt, now)}).`
          : 'No sync has succeeded yet.'}
        <div className="banner-problem">
          {freshness.problem.message}.{freshness.problem.hint ? ` ${freshness.problem.hint}` : ''}
          {attempts ? <span className="muted"> · {attempts} failed attempts, retrying</span> : null}
        </div>
      </div>
      {link !== 'closed' && (
        <button
          type="button"
          className="button"
          disabled={retrying}
          onClick={async () => {
            setRetrying(true)
            await syncNow()
            setRetrying(false)
          }}
        >
          Retry now
        </button>
      )}
    </div>
  )
}
