import { useState } from 'react'
import { ConnectionUrlError } from '../../../../shared/connection.ts'
import type { ConnectionTestResult } from '../../../../shared/profiles.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { failureText, type Outcome } from '../../store/outcome.ts'
import { checkDraft, fieldsFromUrl, type Draft, type FieldErrors } from './connection-draft.ts'

/** What the form is doing right now, for its busy buttons. */
export type FormBusy = 'test' | 'save' | 'connect' | null

export interface ConnectionFormState {
  draft: Draft
  errors: FieldErrors
  /** The connection URL typed to fill the fields (new connections only). */
  url: string
  /** The last test's answer; any edit clears it, since it no longer describes the form. */
  testOutcome: Outcome<ConnectionTestResult> | null
  busy: FormBusy
  saveError: string | null
  update(patch: Partial<Draft>): void
  setUrl(url: string): void
  fillFromUrl(): void
  runTest(): Promise<void>
  /** Saves the profile (and connects to it); `onDone` runs once everything asked has worked. */
  save(andConnect: boolean): Promise<void>
}

/** The connection form's draft, its checks against the contract, and its test and save calls. */
export function useConnectionForm(initial: Draft, onDone: () => void): ConnectionFormState {
  const { saveProfile, testConnection, connect } = useAppFields((state) => ({
    saveProfile: state.saveProfile,
    testConnection: state.testConnection,
    connect: state.connect,
  }))
  const [draft, setDraft] = useState<Draft>(initial)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [url, setUrl] = useState('')
  const [testOutcome, setTestOutcome] = useState<Outcome<ConnectionTestResult> | null>(null)
  const [busy, setBusy] = useState<FormBusy>(null)
  const [saveError, setSaveError] = useState<string | null>(null)

  const update = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }))
    setTestOutcome(null)
  }

  const fillFromUrl = () => {
    try {
      update(fieldsFromUrl(url, draft))
      setErrors({})
      setUrl('')
    } catch (error) {
      setErrors({ url: error instanceof ConnectionUrlError ? error.message : String(error) })
    }
  }

  /** The draft as a profile, or null with its errors shown beside the fields. */
  const checked = () => {
    const result = checkDraft(draft)
    setErrors(result.ok ? {} : result.errors)
    return result.ok ? result.input : null
  }

  const runTest = async () => {
    const input = checked()
    if (!input) return
    setBusy('test')
    const outcome = await testConnection(
      input.secret
        ? { connection: input.connection, secret: input.secret }
        : { id: input.id, connection: input.connection },
    )
    setBusy(null)
    setTestOutcome(outcome)
  }

  const save = async (andConnect: boolean) => {
    const input = checked()
    if (!input) return
    setBusy(andConnect ? 'connect' : 'save')
    const outcome = await saveProfile(input)
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

  return { draft, errors, url, testOutcome, busy, saveError, update, setUrl, fillFromUrl, runTest, save }
}
