import { useEffect, useState } from 'react'
import {
  friendsCsvTooLarge,
  MAX_FRIENDS_CSV_CHARS,
  type BroadcastSettings,
  type BroadcastStatus,
  type FriendsImportResult,
} from '../../../../shared/broadcast.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { formatCount } from '../../lib/format.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { failureText, type Outcome } from '../../store/outcome.ts'

/** Friend rosters: the imported graph, a CSV import with its errors by line, and the roster switch. */
export function FriendsPanel({
  profileId,
  settings,
  status,
}: {
  profileId: string
  settings: BroadcastSettings
  status: BroadcastStatus | undefined
}) {
  const time = useTimeFormat()
  const { graph, loadFriendGraph, importFriends, clearFriends, setBroadcast } = useAppFields((state) => ({
    graph: state.friendGraphs.get(profileId) ?? null,
    loadFriendGraph: state.loadFriendGraph,
    importFriends: state.importFriends,
    clearFriends: state.clearFriends,
    setBroadcast: state.setBroadcast,
  }))
  const [csv, setCsv] = useState('')
  const [fileName, setFileName] = useState<string | null>(null)
  const [mutual, setMutual] = useState(true)
  const [result, setResult] = useState<Outcome<FriendsImportResult> | null>(null)
  const [busy, setBusy] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)

  useEffect(() => {
    void loadFriendGraph(profileId)
  }, [profileId, loadFriendGraph])

  const runImport = async () => {
    if (csv.length > MAX_FRIENDS_CSV_CHARS) {
      return setResult({ ok: false, error: { code: 'bad-request', message: friendsCsvTooLarge(csv.length) } })
    }
    setBusy(true)
    setResult(await importFriends(profileId, csv, mutual))
    setBusy(false)
  }
  const setRosters = async (enabled: boolean) => {
    setActionError(failureText(await setBroadcast(profileId, { friends: { enabled } })))
  }
  const summary = graph?.ok ? graph.value : null

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
      {actionError && (
        <p className="field-error" role="alert">
          {actionError}
        </p>
      )}
      {status?.friends.unavailable && settings.friends.enabled && (
        <p className="banner banner-warning" role="note">
          {status.friends.unavailable}
        </p>
      )}
      <p className="field-hint">
        {graph && !graph.ok
          ? `The friend graph could not be read: ${graph.error.message}.`
          : summary?.importedAt
            ? `${formatCount(summary.users)} users and ${formatCount(summary.edges)} friendships, imported ${time.dateTime(Date.parse(summary.importedAt))}${summary.mutual ? ' (both ways)' : ''}.`
            : summary
              ? 'No friend graph imported.'
              : ''}{' '}
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
              // Refused before it is read: an empty file would leave the button greyed with no reason,
              // and one far over the limit would be read whole (and shown) only to be refused.
              const refusal =
                file.size === 0
                  ? `${file.name} is empty: choose a CSV of user,friend rows`
                  : file.size > MAX_FRIENDS_CSV_CHARS * 4
                    ? `${file.name} is ${(file.size / 1_000_000).toFixed(1)} MB; at most ${MAX_FRIENDS_CSV_CHARS / 1024} KB can be imported`
                    : null
              if (refusal) {
                setCsv('')
                return setResult({ ok: false, error: { code: 'bad-request', message: refusal } })
              }
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
              onClick={async () => setActionError(failureText(await clearFriends(profileId)))}
            >
              Forget the graph
            </button>
          )}
          <button type="button" className="button" disabled={!csv.trim() || busy} onClick={() => void runImport()}>
            {busy ? 'Importing…' : `Import${fileName ? ` ${fileName}` : ''}`}
          </button>
        </div>
      </div>
      {result && <ImportAnswer outcome={result} />}
    </section>
  )
}

function ImportAnswer({ outcome }: { outcome: Outcome<FriendsImportResult> }) {
  if (!outcome.ok) {
    return (
      <p className="field-error" role="alert">
        {outcome.error.message}
      </p>
    )
  }
  const result = outcome.value
  return result.ok ? (
    <p className="field-ok" role="status">
      Imported {formatCount(result.users)} users and {formatCount(result.edges)} friendships.
    </p>
  ) : (
    <div className="import-errors" role="alert" aria-label="Import errors">
      <strong>
        Nothing was imported: {formatCount(result.errorCount)} bad {result.errorCount === 1 ? 'row' : 'rows'}.
      </strong>
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
  )
}
