import { useState } from 'react'
import { useAppFields } from '../hooks/use-store.ts'
import { failureText } from '../store/outcome.ts'

/** With no saved connection: a one-click demo against the embedded emulator, or the way to add a real app. */
export function FirstRun() {
  const { startDemo, navigate, switching } = useAppFields((state) => ({
    startDemo: state.startDemo,
    navigate: state.navigate,
    switching: state.switching,
  }))
  const [error, setError] = useState<string | null>(null)
  const busy = switching === 'demo'
  return (
    <section className="first-run" aria-label="Get started">
      <h2>Watch presence for very large rooms</h2>
      <p>
        Headcount learns who is in which room from the private channels your app&apos;s users subscribe to, charts
        occupancy over time and can publish compact counts back to every room.
      </p>
      <div className="first-run-actions">
        <div className="choice">
          <h3>Try it now</h3>
          <p>
            Starts a local Pusher-compatible server with a simulated crowd of 2,000 people in 12 rooms, coming and
            going, and connects to it.
          </p>
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={async () => setError(failureText(await startDemo()))}
          >
            {busy ? 'Starting the demo…' : 'Start the demo'}
          </button>
        </div>
        <div className="choice">
          <h3>Connect your app</h3>
          <p>
            Enter your Channels app&apos;s id, key and secret (from the Pusher dashboard, App Keys) and its cluster or
            host.
          </p>
          <button type="button" className="button secondary" onClick={() => navigate('connections')}>
            Add a connection
          </button>
        </div>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
