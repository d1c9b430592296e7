import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { apiBaseUrl, ConnectionUrlError, parseConnectionUrl } from '../../../shared/connection.ts'
import { DEFAULT_TEMPLATE } from '../../../shared/naming.ts'
import {
  ProfileInputSchema,
  type ConnectionTestResult,
  type ProfileInput,
  type ProfileView,
} from '../../../shared/profiles.ts'
import { FirstRun } from '../components/FirstRun.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'
import { failureText, type Outcome } from '../store/outcome.ts'

interface Draft {
  id: string | null
  name: string
  appId: string
  key: string
  secret: string
  targetKind: 'cluster' | 'host'
  cluster: string
  host: string
  port: string
  useTLS: boolean
  template: string
  /** A profile parsed by a custom pattern keeps it: the form edits templates only. */
  customPattern: boolean
}

const EMPTY: Draft = {
  id: null,
  name: '',
  appId: '',
  key: '',
  secret: '',
  targetKind: 'cluster',
  cluster: 'mt1',
  host: '',
  port: '',
  useTLS: true,
  template: DEFAULT_TEMPLATE,
  customPattern: false,
}

function draftOf(profile: ProfileView): Draft {
  const { target } = profile.connection
  return {
    id: profile.id,
    name: profile.name,
    appId: profile.connection.appId,
    key: profile.connection.key,
    // The engine never sends a secret back: an edit keeps the saved one unless a new one is typed.
    secret: '',
    targetKind: target.kind,
    cluster: target.kind === 'cluster' ? target.cluster : 'mt1',
    host: target.kind === 'host' ? target.host : '',
    port: target.kind === 'host' && target.port !== null ? String(target.port) : '',
    useTLS: target.kind === 'host' ? target.useTLS : true,
    template: profile.convention.kind === 'template' ? profile.convention.template : profile.convention.pattern,
    customPattern: profile.convention.kind === 'regex',
  }
}

type Checked = { ok: true; input: ProfileInput } | { ok: false; errors: Record<string, string> }

/** Form values to a profile, checked with the contract's own schema so the form and the engine agree. */
function check(draft: Draft): Checked {
  const port = draft.port.trim() === '' ? null : Number(draft.port)
  const raw = {
    ...(draft.id ? { id: draft.id } : {}),
    name: draft.name,
    connection: {
      appId: draft.appId.trim(),
      key: draft.key.trim(),
      target:
        draft.targetKind === 'cluster'
          ? { kind: 'cluster', cluster: draft.cluster.trim() }
          : { kind: 'host', host: draft.host.trim(), port, useTLS: draft.useTLS },
    },
    ...(draft.secret ? { secret: draft.secret } : {}),
    ...(!draft.customPattern ? { convention: { kind: 'template', template: draft.template.trim() } } : {}),
  }
  const errors: Record<string, string> = {}
  const parsed = ProfileInputSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path.at(-1) ?? 'form')
      errors[field] ??= issue.message
    }
  }
  if (!draft.id && !draft.secret) errors.secret = 'Secret is required'
  if (draft.targetKind === 'host' && port !== null && !Number.isInteger(port)) errors.port = 'Port is a whole number'
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors }
  return { ok: true, input: parsed.data }
}

function TestResult({ outcome }: { outcome: Outcome<ConnectionTestResult> }) {
  if (!outcome.ok) {
    return (
      <div className="test-result bad" role="alert">
        <strong>Could not test:</strong> {outcome.error.message}
      </div>
    )
  }
  const result = outcome.value
  if (result.ok) {
    return (
      <div className="test-result good" role="status">
        <strong>Connection works.</strong> {result.endpoint} answered in {result.latencyMs} ms and lists{' '}
        {formatCount(result.channels)} participant channels.
      </div>
    )
  }
  return (
    <div className="test-result bad" role="alert">
      <strong>{result.failure.message}.</strong> {result.failure.hint}
      <div className="muted small">
        {result.endpoint} · {result.failure.kind}
      </div>
    </div>
  )
}

function Field({
  label,
  error,
  children,
  hint,
}: {
  label: string
  error?: string
  hint?: string
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode
}) {
  // The label names the input alone; hints and errors describe it, so they stay out of its name.
  const id = useId()
  return (
    <div className="form-field">
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        'aria-invalid': Boolean(error),
        'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
      })}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      ) : hint ? (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      ) : null}
    </div>
  )
}

function ConnectionForm({ initial, onDone }: { initial: Draft; onDone(): void }) {
  const { saveProfile, testConnection, connect } = useAppFields((state) => ({
    saveProfile: state.saveProfile,
    testConnection: state.testConnection,
    connect: state.connect,
  }))
  const [draft, setDraft] = useState<Draft>(initial)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [url, setUrl] = useState('')
  const [result, setResult] = useState<Outcome<ConnectionTestResult> | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [saveError, setSaveError] = useState<string | null>(null)
  const editing = draft.id !== null
  const update = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }))
    setResult(null)
  }

  const fillFromUrl = () => {
    try {
      const parsed = parseConnectionUrl(url)
      const { target } = parsed
      update({
        appId: parsed.appId,
        key: parsed.key,
        secret: parsed.secret,
        targetKind: target.kind,
        cluster: target.kind === 'cluster' ? target.cluster : draft.cluster,
        host: target.kind === 'host' ? target.host : '',
        port: target.kind === 'host' && target.port !== null ? String(target.port) : '',
        useTLS: target.kind === 'host' ? target.useTLS : true,
      })
      setErrors({})
      setUrl('')
    } catch (error) {
      setErrors({ url: error instanceof ConnectionUrlError ? error.message : String(error) })
    }
  }

  const runTest = async () => {
    const checked = check(draft)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setErrors({})
    setBusy('test')
    const { input } = checked
    const outcome = await testConnection(
      input.secret
        ? { connection: input.connection, secret: input.secret }
        : { id: input.id, connection: input.connection },
    )
    setBusy(null)
    setResult(outcome)
  }

  const save = async (andConnect: boolean) => {
    const checked = check(draft)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setErrors({})
    setBusy(andConnect ? 'connect' : 'save')
    const outcome = await saveProfile(checked.input)
    if (!outcome.ok) {
      setBusy(null)
      setSaveError(outcome.error.message)
      return
    }
    const connectError = andConnect ? failureText(await connect(outcome.value.id)) : null
    setBusy(null)
    if (connectError) setSaveError(connectError)
    else onDone()
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    void save(true)
  }

  return (
    <form
      className="panel connection-form"
      aria-label={editing ? `Edit connection ${initial.name}` : 'New connection'}
      onSubmit={onSubmit}
      noValidate
    >
      <header className="panel-header">
        <h2>{editing ? `Edit “${initial.name}”` : 'New connection'}</h2>
      </header>
      {!editing && (
        <div className="url-fill">
          <Field
            label="Connection URL (optional)"
            error={errors.url}
            hint="http(s)://KEY:SECRET@HOST[:PORT]/apps/APP_ID fills the fields below"
          >
            {(aria) => (
              <input
                type="text"
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                {...aria}
                spellCheck={false}
                autoComplete="off"
              />
            )}
          </Field>
          <button type="button" className="ghost-button" onClick={fillFromUrl} disabled={!url.trim()}>
            Fill in
          </button>
        </div>
      )}
      <div className="form-grid">
        <Field label="Name" error={errors.name}>
          {(aria) => (
            <input
              type="text"
              value={draft.name}
              onChange={(event) => update({ name: event.target.value })}
              {...aria}
            />
          )}
        </Field>
        <Field label="App id" error={errors.appId} hint="A number on Pusher; a name such as app-1 on Soketi or Reverb">
          {(aria) => (
            <input
              type="text"
              value={draft.appId}
              onChange={(event) => update({ appId: event.target.value })}
              {...aria}
            />
          )}
        </Field>
        <Field label="Key" error={errors.key}>
          {(aria) => (
            <input
              type="text"
              value={draft.key}
              onChange={(event) => update({ key: event.target.value })}
              spellCheck={false}
              autoComplete="off"
              {...aria}
            />
          )}
        </Field>
        <Field
          label="Secret"
          error={errors.secret}
          hint={
            editing
              ? 'Saved and never shown again; type a new one to replace it'
              : 'Stored encrypted; never shown again after saving'
          }
        >
          {(aria) => (
            <input
              type="password"
              value={draft.secret}
              placeholder={editing ? '•••••••• (saved)' : ''}
              onChange={(event) => update({ secret: event.target.value })}
              autoComplete="new-password"
              {...aria}
            />
          )}
        </Field>
      </div>
      <fieldset className="target-choice">
        <legend>Where the app is</legend>
        <div className="radio-row">
          <label>
            <input
              type="radio"
              name="target"
              checked={draft.targetKind === 'cluster'}
              onChange={() => update({ targetKind: 'cluster' })}
            />
            Pusher cluster
          </label>
          <label>
            <input
              type="radio"
              name="target"
              checked={draft.targetKind === 'host'}
              onChange={() => update({ targetKind: 'host' })}
            />
            Host and port
          </label>
        </div>
        {draft.targetKind === 'cluster' ? (
          <div className="form-grid">
            <Field label="Cluster" error={errors.cluster} hint="mt1, eu, us2, ap1…">
              {(aria) => (
                <input
                  type="text"
                  value={draft.cluster}
                  onChange={(event) => update({ cluster: event.target.value })}
                  {...aria}
                />
              )}
            </Field>
          </div>
        ) : (
          <div className="form-grid">
            <Field label="Host" error={errors.host}>
              {(aria) => (
                <input
                  type="text"
                  value={draft.host}
                  onChange={(event) => update({ host: event.target.value })}
                  spellCheck={false}
                  {...aria}
                />
              )}
            </Field>
            <Field label="Port" error={errors.port} hint="Empty for the scheme's default">
              {(aria) => (
                <input
                  type="text"
                  inputMode="numeric"
                  value={draft.port}
                  onChange={(event) => update({ port: event.target.value })}
                  {...aria}
                />
              )}
            </Field>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.useTLS}
                onChange={(event) => update({ useTLS: event.target.checked })}
              />
              Use TLS (https)
            </label>
          </div>
        )}
      </fieldset>
      <div className="form-grid">
        <Field
          label="Channel naming"
          error={errors.template}
          hint={
            draft.customPattern
              ? 'A custom pattern: edit it in Settings'
              : '{room}, {user} and optionally {group}; change it later in Settings'
          }
        >
          {(aria) => (
            <input
              type="text"
              className="wide mono-input"
              value={draft.template}
              readOnly={draft.customPattern}
              onChange={(event) => update({ template: event.target.value })}
              spellCheck={false}
              {...aria}
            />
          )}
        </Field>
      </div>
      {result && <TestResult outcome={result} />}
      {saveError && (
        <p className="field-error" role="alert">
          {saveError}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="ghost-button" onClick={() => void runTest()} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <span className="status-spacer" />
        <button type="button" className="ghost-button" onClick={onDone}>
          Cancel
        </button>
        <button type="button" className="button secondary" onClick={() => void save(false)} disabled={busy !== null}>
          Save
        </button>
        <button type="submit" className="button primary" disabled={busy !== null}>
          {busy === 'connect' ? 'Connecting…' : 'Save and connect'}
        </button>
      </div>
    </form>
  )
}

function ProfileCard({ profile, active, onEdit }: { profile: ProfileView; active: boolean; onEdit(): void }) {
  const { connect, disconnect, deleteProfile, testConnection, switching } = useAppFields((state) => ({
    connect: state.connect,
    disconnect: state.disconnect,
    deleteProfile: state.deleteProfile,
    testConnection: state.testConnection,
    switching: state.switching,
  }))
  const [result, setResult] = useState<Outcome<ConnectionTestResult> | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [testing, setTesting] = useState(false)
  return (
    <li className={active ? 'profile-card active' : 'profile-card'} aria-label={profile.name}>
      <div className="profile-main">
        <div className="profile-name">
          {profile.name}
          {active && <span className="pill pill-ok">Connected</span>}
        </div>
        <div className="profile-meta mono">
          {apiBaseUrl(profile.connection.target)} · app {profile.connection.appId} · key {profile.connection.key}
        </div>
        <div className="profile-meta">
          {profile.sync.mode === 'poll'
            ? `Polling every ${profile.sync.pollIntervalSec} s`
            : profile.sync.mode === 'webhook'
              ? 'Webhooks'
              : 'Webhooks with reconciling polls'}{' '}
          · {profile.convention.kind === 'template' ? profile.convention.template : 'custom pattern'}
          {!profile.hasSecret && <span className="field-error"> · no secret saved</span>}
        </div>
      </div>
      <div className="profile-actions">
        {active ? (
          <button
            type="button"
            className="ghost-button"
            disabled={switching !== null}
            onClick={async () => setError(failureText(await disconnect()))}
          >
            Disconnect
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={switching !== null}
            onClick={async () => setError(failureText(await connect(profile.id)))}
          >
            Connect
          </button>
        )}
        <button
          type="button"
          className="ghost-button"
          disabled={testing}
          onClick={async () => {
            setTesting(true)
            const outcome = await testConnection({ id: profile.id })
            setTesting(false)
            setResult(outcome)
          }}
        >
          {testing ? 'Testing…' : 'Test'}
        </button>
        <button type="button" className="ghost-button" onClick={onEdit}>
          Edit
        </button>
        {confirming ? (
          <span className="confirm" role="group" aria-label={`Delete ${profile.name}?`}>
            Delete and forget its secret?
            <button
              type="button"
              className="danger-button"
              onClick={async () => setError(failureText(await deleteProfile(profile.id)))}
            >
              Delete
            </button>
            <button type="button" className="ghost-button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="ghost-button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {result && <TestResult outcome={result} />}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}

export function ConnectionsView() {
  const { profiles, status } = useAppFields((state) => ({ profiles: state.profiles, status: state.status }))
  const [editing, setEditing] = useState<Draft | null>(null)
  const [formKey, setFormKey] = useState(0)
  const open = (draft: Draft) => {
    setEditing(draft)
    setFormKey((key) => key + 1)
  }
  return (
    <ViewFrame
      title="Connections"
      description="The Channels apps Headcount can watch. Secrets are stored apart and never shown again."
      actions={
        !editing && (
          <button type="button" className="button" onClick={() => open(EMPTY)}>
            Add a connection
          </button>
        )
      }
    >
      {editing && <ConnectionForm key={formKey} initial={editing} onDone={() => setEditing(null)} />}
      {profiles.length === 0 && !editing ? (
        <FirstRun />
      ) : (
        <section className="panel" aria-label="Saved connections">
          <header className="panel-header">
            <h2>Saved connections</h2>
          </header>
          <ul className="profile-list">
            {profiles.map((profile) => (
              <ProfileCard
                key={profile.id}
                profile={profile}
                active={status?.profileId === profile.id}
                onEdit={() => open(draftOf(profile))}
              />
            ))}
          </ul>
        </section>
      )}
    </ViewFrame>
  )
}
