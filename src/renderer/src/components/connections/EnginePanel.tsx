import { useState, type FormEvent } from 'react'
import type { CertificateSeen, EngineView } from '../../../../shared/engine-choice.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import type { TimeFormat } from '../../lib/time-format.ts'
import { Field } from './Field.tsx'

type Choice = 'local' | 'remote'

function shownLine(engine: EngineView): string {
  if (engine.shown.kind === 'local') return 'This computer’s engine'
  const state = {
    connecting: 'connecting…',
    connected: 'connected',
    retrying: 'not connected, retrying',
    refused: 'refused',
  }[engine.shown.state]
  return `The shared server ${engine.shown.url} (${state})`
}

/** A certificate's expiry as the console writes times; as given when it is not a date Date can read. */
function validTo(text: string, time: TimeFormat): string {
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? `${time.dateTime(ms)} (${time.label(ms)})` : text
}

/** The certificate a shared server presented, for the operator to compare before trusting it. */
function CertificateCheck({
  certificate,
  message,
  busy,
  trust,
  cancel,
}: {
  certificate: CertificateSeen
  message: string
  busy: boolean
  trust(): void
  cancel(): void
}) {
  const time = useTimeFormat()
  return (
    <div className="test-result bad" role="alert" aria-label="Certificate to check">
      <p>{message}</p>
      <dl className="facts">
        <dt>SHA-256</dt>
        <dd className="mono">{certificate.fingerprint}</dd>
        <dt>Issued to</dt>
        <dd>{certificate.subject || '—'}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.issuer || '—'}</dd>
        <dt>Valid until</dt>
        <dd>{validTo(certificate.validTo, time)}</dd>
      </dl>
      <div className="form-actions">
        <span className="status-spacer" />
        <button type="button" className="ghost-button" onClick={cancel}>
          Cancel
        </button>
        <button type="button" className="button primary" disabled={busy} onClick={trust}>
          The fingerprints match: trust it and connect
        </button>
      </div>
    </div>
  )
}

/**
 * Desktop only: which engine this console shows. A team runs one `headcount serve` (one poll of the app,
 * one history, one broadcaster) and every operator's console shows it; or this computer runs its own.
 * The token goes to the main process once and is never shown again; the certificate is checked there.
 */
export function EnginePanel() {
  const { engine, showRemoteEngine, showLocalEngine } = useAppFields((state) => ({
    engine: state.engine,
    showRemoteEngine: state.showRemoteEngine,
    showLocalEngine: state.showLocalEngine,
  }))
  const [choice, setChoice] = useState<Choice>(engine?.shown.kind ?? 'local')
  const [url, setUrl] = useState(engine?.saved?.url ?? '')
  const [token, setToken] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [check, setCheck] = useState<{ certificate: CertificateSeen; message: string } | null>(null)
  /** The fingerprint the operator accepted for the address typed, kept for another try (say, with another token). */
  const [trusted, setTrusted] = useState<string | undefined>(undefined)
  if (engine?.shell !== 'desktop') return null

  const tokenSaved = engine.saved?.hasToken === true && url.trim() !== '' && url.trim() === engine.saved.url
  const connect = async (fingerprint = trusted) => {
    setBusy(true)
    setError(null)
    setTrusted(fingerprint)
    const outcome = await showRemoteEngine({ url, token: token.trim() || undefined, fingerprint })
    setBusy(false)
    setCheck(null)
    if (!outcome.ok) return setError(outcome.error.message)
    if (outcome.value.outcome === 'untrusted-certificate') {
      setCheck({ certificate: outcome.value.certificate, message: outcome.value.message })
      return
    }
    // Switched: the console starts afresh on the shared server (main.tsx).
    setToken('')
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    void connect()
  }
  const switchToLocal = async () => {
    setBusy(true)
    setError(null)
    const outcome = await showLocalEngine()
    setBusy(false)
    if (!outcome.ok) setError(outcome.error.message)
  }

  return (
    <section className="panel" aria-label="Engine">
      <header className="panel-header">
        <h2>Engine</h2>
      </header>
      <p className="muted">
        Shown now: <strong>{shownLine(engine)}</strong>. A team can run one <code>headcount serve</code> with TLS and a
        token: it polls the app once, keeps one history and one broadcaster, and every operator’s console shows it.
        While a shared server is shown, this computer’s engine is stopped.
      </p>
      <fieldset>
        <legend>Engine</legend>
        <div className="radio-row">
          <label>
            <input type="radio" name="engine" checked={choice === 'local'} onChange={() => setChoice('local')} />
            This computer
          </label>
          <label>
            <input type="radio" name="engine" checked={choice === 'remote'} onChange={() => setChoice('remote')} />A
            shared server
          </label>
        </div>
      </fieldset>
      {choice === 'local' ? (
        engine.shown.kind === 'remote' && (
          <div className="form-actions">
            <span className="status-spacer" />
            <button type="button" className="button primary" disabled={busy} onClick={() => void switchToLocal()}>
              Use this computer’s engine
            </button>
          </div>
        )
      ) : (
        <form onSubmit={onSubmit} aria-label="Shared server" noValidate>
          <div className="form-grid">
            <Field
              label="Server address"
              hint="As headcount serve printed it (https://host:port/?token=…), or host:port"
            >
              {(aria) => (
                <input
                  type="text"
                  className="mono-input"
                  value={url}
                  placeholder="https://headcount.example:7480"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => {
                    setUrl(event.target.value)
                    setCheck(null)
                    setTrusted(undefined)
                  }}
                  {...aria}
                />
              )}
            </Field>
            <Field
              label="Access token"
              hint={
                tokenSaved
                  ? 'A token is saved for this server; leave empty to keep it'
                  : 'The part after ?token= in the address the server printed (not needed if the address has it)'
              }
            >
              {(aria) => (
                <input
                  type="password"
                  value={token}
                  autoComplete="off"
                  onChange={(event) => setToken(event.target.value)}
                  {...aria}
                />
              )}
            </Field>
          </div>
          {check && (
            <CertificateCheck
              certificate={check.certificate}
              message={check.message}
              busy={busy}
              trust={() => void connect(check.certificate.fingerprint)}
              cancel={() => setCheck(null)}
            />
          )}
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="form-actions">
            <span className="status-spacer" />
            <button type="submit" className="button primary" disabled={busy || url.trim() === '' || check !== null}>
              {busy ? 'Connecting…' : 'Connect to the shared server'}
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
