import { useState } from 'react'
import { useAppFields } from '../hooks/use-store.ts'

/**
 * Shown while the desktop shows a shared server it can't reach (or that refused it): why, in words,
 * and the way back to this computer's engine. That engine does not start by itself meanwhile: two
 * engines would then watch the same app (and broadcast twice) once the server is back.
 */
export function EngineBanner() {
  const { engine, view, navigate, showLocalEngine } = useAppFields((state) => ({
    engine: state.engine,
    view: state.view,
    navigate: state.navigate,
    showLocalEngine: state.showLocalEngine,
  }))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  if (engine?.shell !== 'desktop' || engine.shown.kind !== 'remote' || engine.shown.state === 'connected') return null
  const { url, state, problem } = engine.shown
  return (
    <div className="banner banner-stale" role="alert" aria-label="Shared server not connected">
      <div>
        <strong>
          {state === 'connecting'
            ? `Connecting to the shared server ${url}…`
            : `The shared server ${url} is not connected.`}
        </strong>
        {problem && <div className="banner-problem">{problem}</div>}
        {state === 'refused' && (
          <div className="banner-problem muted">
            Give the server’s current token (or trust its new certificate) on the Connections page, or use this
            computer’s engine.
          </div>
        )}
        {error && <div className="field-error">{error}</div>}
      </div>
      <div className="banner-actions">
        {view !== 'connections' && (
          <button type="button" className="ghost-button" onClick={() => navigate('connections')}>
            Connections
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true)
            const outcome = await showLocalEngine()
            setBusy(false)
            setError(outcome.ok ? null : outcome.error.message)
          }}
        >
          Use this computer’s engine
        </button>
      </div>
    </div>
  )
}
