import { useState } from 'react'
import { apiBaseUrl } from '../../../../shared/connection.ts'
import type { ConnectionTestResult, ProfileView } from '../../../../shared/profiles.ts'
import type { ConnectionState } from '../../../../shared/status.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { failureText, type Outcome } from '../../store/outcome.ts'
import { TestResult } from './TestResult.tsx'

/** A saved connection: where it points, how it syncs, and connect, test, edit and delete. */
export function ProfileCard({ profile, active, onEdit }: { profile: ProfileView; active: boolean; onEdit(): void }) {
  const { connect, disconnect, deleteProfile, testConnection, switching, connection } = useAppFields((state) => ({
    connect: state.connect,
    disconnect: state.disconnect,
    deleteProfile: state.deleteProfile,
    testConnection: state.testConnection,
    switching: state.switching,
    connection: state.status?.connection ?? 'disconnected',
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
          {active && <WatchedPill connection={connection} />}
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
            Delete it with its secret, settings, alert rules, friend graph and spend? Its history stays.
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

/** How the watched connection is doing: "Connected" only while its syncs succeed. */
function WatchedPill({ connection }: { connection: ConnectionState }) {
  if (connection === 'connected') return <span className="pill pill-ok">Connected</span>
  if (connection === 'error') return <span className="pill pill-failing">Sync failing</span>
  if (connection === 'connecting') return <span className="pill pill-starting">Connecting…</span>
  return null
}
