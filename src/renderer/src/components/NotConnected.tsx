import { useAppFields } from '../hooks/use-store.ts'
import { FirstRun } from './FirstRun.tsx'

/** What a live view shows without a connection: the first-run choice, or the way to the saved connections. */
export function NotConnected({ what }: { what: string }) {
  const { profiles, navigate, status } = useAppFields((state) => ({
    profiles: state.profiles,
    navigate: state.navigate,
    status: state.status,
  }))
  if (status === null) return null
  if (profiles.length === 0) return <FirstRun />
  return (
    <div className="empty-state" role="region" aria-label="Not connected">
      <h3>Not connected</h3>
      <p>{what} appear here once Headcount is watching an app.</p>
      <button type="button" className="button" onClick={() => navigate('connections')}>
        Choose a connection
      </button>
    </div>
  )
}
