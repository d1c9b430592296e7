import type { FormEvent } from 'react'
import type { Draft } from './connection-draft.ts'
import { AppFields, NamingField, TargetFields, UrlFill } from './ConnectionFields.tsx'
import { TestResult } from './TestResult.tsx'
import { useConnectionForm } from './use-connection-form.ts'

/** A new connection, or a saved one being edited: its fields, a test, and save (and connect). */
export function ConnectionForm({ initial, onDone }: { initial: Draft; onDone(): void }) {
  const form = useConnectionForm(initial, onDone)
  const { draft, errors, busy } = form
  const editing = draft.id !== null

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    void form.save(true)
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
      {!editing && <UrlFill url={form.url} error={errors.url} setUrl={form.setUrl} fill={form.fillFromUrl} />}
      <AppFields draft={draft} errors={errors} update={form.update} />
      <TargetFields draft={draft} errors={errors} update={form.update} />
      <NamingField draft={draft} errors={errors} update={form.update} />
      {form.testOutcome && <TestResult outcome={form.testOutcome} />}
      {form.saveError && (
        <p className="field-error" role="alert">
          {form.saveError}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="ghost-button" onClick={() => void form.runTest()} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <span className="status-spacer" />
        <button type="button" className="ghost-button" onClick={onDone}>
          Cancel
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => void form.save(false)}
          disabled={busy !== null}
        >
          Save
        </button>
        <button type="submit" className="button primary" disabled={busy !== null}>
          {busy === 'connect' ? 'Connecting…' : 'Save and connect'}
        </button>
      </div>
    </form>
  )
}
