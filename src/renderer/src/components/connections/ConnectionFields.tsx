import type { Draft, FieldErrors } from './connection-draft.ts'
import { Field } from './Field.tsx'

/** The connection form's field groups: each gets the draft, its errors, and a way to change it. */
interface GroupProps {
  draft: Draft
  errors: FieldErrors
  update(patch: Partial<Draft>): void
}

/** A connection URL that fills the fields below (new connections only). */
export function UrlFill({
  url,
  error,
  setUrl,
  fill,
}: {
  url: string
  error?: string
  setUrl(url: string): void
  fill(): void
}) {
  return (
    <div className="url-fill">
      <Field
        label="Connection URL (optional)"
        error={error}
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
      <button type="button" className="ghost-button" onClick={fill} disabled={!url.trim()}>
        Fill in
      </button>
    </div>
  )
}

/** Name, app id, key and secret. The secret is never shown again once saved. */
export function AppFields({ draft, errors, update }: GroupProps) {
  const editing = draft.id !== null
  return (
    <div className="form-grid">
      <Field label="Name" error={errors.name}>
        {(aria) => (
          <input type="text" value={draft.name} onChange={(event) => update({ name: event.target.value })} {...aria} />
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
  )
}

/** Where the app is: a Pusher cluster, or a host and port (Soketi, Reverb, the emulator). */
export function TargetFields({ draft, errors, update }: GroupProps) {
  return (
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
  )
}

/** The channel naming template; a custom pattern is shown but edited in Settings. */
export function NamingField({ draft, errors, update }: GroupProps) {
  return (
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
  )
}
