import { useState, type FormEvent } from 'react'
import type { ProfileView } from '../../../../shared/profiles.ts'
import type { SyncMode, SyncOptions } from '../../../../shared/sync.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { useSavedDraft } from '../../hooks/use-saved-draft.ts'

const MODES: { mode: SyncMode; label: string; hint: string }[] = [
  { mode: 'poll', label: 'Poll', hint: 'Ask the HTTP API for occupied channels at an interval. Works everywhere.' },
  {
    mode: 'webhook',
    label: 'Webhooks',
    hint: 'Pusher tells Headcount of every channel occupied or vacated. Needs a public address.',
  },
  { mode: 'hybrid', label: 'Hybrid', hint: 'Webhooks for speed, plus a reconciling poll that finds and counts drift.' },
]

type Draft = Record<string, string> & { mode: SyncMode }

function draftOf(options: SyncOptions): Draft {
  return {
    mode: options.mode,
    pollIntervalSec: String(options.pollIntervalSec),
    reconcileIntervalSec: String(options.reconcileIntervalSec),
    webhookPort: String(options.webhookPort),
    webhookHost: options.webhookHost,
  }
}

/** How this connection learns which channels exist: edited from the profile's own sync options. */
export function SyncSection({ profile }: { profile: ProfileView }) {
  const { setSync, webhook } = useAppFields((state) => ({
    setSync: state.setSync,
    // The receiver as it is now, when this profile is the one connected.
    webhook: state.status?.profileId === profile.id ? (state.status.sync?.webhook ?? null) : null,
  }))
  const [draft, setDraft] = useSavedDraft<Draft>(draftOf(profile.sync))
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    const next = {
      mode: draft.mode,
      pollIntervalSec: Number(draft.pollIntervalSec),
      reconcileIntervalSec: Number(draft.reconcileIntervalSec),
      webhookPort: Number(draft.webhookPort),
      webhookHost: (draft.webhookHost ?? '').trim(),
    }
    const outcome = await setSync(profile.id, next)
    setResult(outcome.ok ? { ok: true, text: 'Saved' } : { ok: false, text: outcome.error.message })
  }
  const field = (name: string, label: string, type: 'number' | 'text' = 'number') => (
    <label>
      {label}
      <input
        type={type}
        inputMode={type === 'number' ? 'numeric' : undefined}
        value={draft[name] ?? ''}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </label>
  )
  return (
    <form className="card wide-card" aria-label="Sync" onSubmit={onSubmit} noValidate>
      <h2>Sync</h2>
      <fieldset>
        <legend>Mode</legend>
        <div className="mode-choices">
          {MODES.map((choice) => (
            <label key={choice.mode} className={draft.mode === choice.mode ? 'mode-choice on' : 'mode-choice'}>
              <input
                type="radio"
                name="sync-mode"
                checked={draft.mode === choice.mode}
                onChange={() => setDraft({ ...draft, mode: choice.mode })}
              />
              <span>
                <strong>{choice.label}</strong>
                <span className="field-hint">{choice.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field-row">
        {draft.mode === 'poll' && field('pollIntervalSec', 'Poll every, seconds (1–300)')}
        {draft.mode === 'hybrid' && field('reconcileIntervalSec', 'Reconcile every, seconds (10–3600)')}
        {draft.mode !== 'poll' && field('webhookPort', 'Webhook port')}
        {draft.mode !== 'poll' && field('webhookHost', 'Webhook address', 'text')}
        <button type="submit">Save</button>
      </div>
      {draft.mode !== 'poll' && (
        <p className="field-hint">
          Point the app&apos;s webhooks (channel existence) at{' '}
          <code>
            http://{draft.webhookHost}:{draft.webhookPort}/
          </code>
          , through a tunnel if Pusher cannot reach it.
        </p>
      )}
      {webhook?.error ? (
        <p className="field-error" role="alert" aria-label="Webhook receiver">
          {webhook.error}
        </p>
      ) : webhook?.listening ? (
        <p className="field-ok" role="status" aria-label="Webhook receiver">
          Receiving webhooks on {webhook.address}: {webhook.received.toLocaleString('en-US')} batches accepted,{' '}
          {webhook.rejected.toLocaleString('en-US')} refused
        </p>
      ) : null}
      {result && (
        <p className={result.ok ? 'field-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
    </form>
  )
}
