import { useEffect, useState } from 'react'
import {
  friendsCsvTooLarge,
  MAX_FRIENDS_CSV_CHARS,
  type BroadcastSettings,
  type BroadcastStatus,
  type FriendsImportResult,
  type FriendsSummary,
} from '../../../../shared/broadcast.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { formatCount, formatDateTime } from '../../lib/format.ts'

/** Friend rosters: the imported graph, a CSV import with its errors by line, and the roster switch. */
export function FriendsPanel({
  profileId,
  settings,
  status,
  onSaved,
}: {
  profileId: string
  settings: BroadcastSettings
  status: BroadcastStatus | undefined
  onSaved(next: BroadcastSettings): void
}) {
  const request = useAppFields((state) => ({ request: state.request })).request
  const [summary, setSummary] = useState<FriendsSummary | null>(null)
  const [csv, setCsv] = useState('')
  const [fileName, setFileName] = useState<string | null>(null)
  const [mutual, setMutual] = useState(true)
  const [result, setResult] = useState<FriendsImportResult | { error: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const [rosterError, setRosterError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    void request('friends.get', { id: profileId }).then((outcome) => {
      if (live && outcome.ok) setSummary(outcome.value)
    })
    return () => {
      live = false
    }
  }, [profileId, request])

  const runImport = async () => {
    if (csv.length > MAX_FRIENDS_CSV_CHARS) return setResult({ error: friendsCsvTooLarge(csv.length) })
    setBusy(true)
    const outcome = await request('friends.import', { id: profileId, csv, mutual })
    setBusy(false)
    if (!outcome.ok) return setResult({ error: outcome.error })
    setResult(outcome.value)
    if (outcome.value.ok) {
      const refreshed = await request('friends.get', { id: profileId })
      if (refreshed.ok) setSummary(refreshed.value)
    }
  }
  const setRosters = async (enabled: boolean) => {
    const outcome = await request('broadcast.set', { id: profileId, settings: { friends: { enabled } } })
    if (outcome.ok) {
      onSaved(outcome.value)
      setRosterError(null)
    } else setRosterError(outcome.error)
  }

  return (
    <section className="panel" aria-label="Friend rosters">
      <header className="panel-header">
        <h2>Friend rosters</h2>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.friends.enabled}
            onChange={(event) => void setRosters(event.target.checked)}
          />
          Send each user their friends in the room (event <code>{settings.friends.eventName}</code>)
        </label>
      </header>
      {rosterError && (
        <p className="field-error" role="alert">
          {rosterError}
        </p>
      )}
      {status?.friends.unavailable && settings.friends.enabled && (
        <p className="banner banner-warning" role="note">
          {status.friends.unavailable}
        </p>
      )}
      <p className="field-hint">
        {summary && summary.importedAt
          ? `${formatCount(summary.users)} users and ${formatCount(summary.edges)} friendships, imported ${formatDateTime(Date.parse(summary.importedAt))}${summary.mutual ? ' (both ways)' : ''}.`
          : 'No friend graph imported.'}{' '}
        {status ? `${formatCount(status.friends.rostersToday)} rosters sent today.` : ''}
      </p>
      <div className="friends-import">
        <label className="form-field">
          <span className="form-label">CSV of user,friend (a header row is optional)</span>
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            aria-label="Friend CSV file"
            onChange={async (event) => {
              const file = event.target.files?.[0]
              if (!file) return
              setFileName(file.name)
              setCsv(await file.text())
              setResult(null)
            }}
          />
        </label>
        <label className="form-field">
          <span className="form-label">or paste it</span>
          <textarea
            aria-label="Friend CSV"
            rows={4}
            value={csv}
            onChange={(event) => {
              setCsv(event.target.value)
              setFileName(null)
              setResult(null)
            }}
            spellCheck={false}
            placeholder={'user,friend\nmax,anna'}
          />
        </label>
        <div className="form-actions">
          <label className="checkbox">
            <input type="checkbox" checked={mutual} onChange={(event) => setMutual(event.target.checked)} />
            Each row is a friendship both ways
          </label>
          <span className="status-spacer" />
          {summary?.importedAt && (
            <button
              type="button"
              className="ghost-button"
              onClick={async () => {
                const outcome = await request('friends.clear', { id: profileId })
                if (outcome.ok) setSummary(outcome.value)
              }}
            >
              Forget the graph
            </button>
          )}
          <button type="button" className="button" disabled={!csv.trim() || busy} onClick={() => void runImport()}>
            {busy ? 'Importing…' : `Import${fileName ? ` ${fileName}` : ''}`}
          </button>
        </div>
      </div>
      {result &&
        ('error' in result ? (
          <p className="field-error" role="alert">
            {result.error}
          </p>
        ) : result.ok ? (
          <p className="field-ok" role="status">
            Imported {formatCount(result.users)} users and {formatCount(result.edges)} friendships.
          </p>
        ) : (
          <div className="import-errors" role="alert" aria-label="Import errors">
            <strong>Nothing was imported: {formatCount(result.errorCount)} bad rows.</strong>
            <ul>
              {result.errors.map((error, index) => (
                <li key={index}>
                  {error.line === null ? '' : <span className="mono">line {error.line}: </span>}
                  {error.message}
                </li>
              ))}
            </ul>
            {result.errorCount > result.errors.length && (
              <p className="muted">…and {formatCount(result.errorCount - result.errors.length)} more.</p>
            )}
          </div>
        ))}
    </section>
  )
}
