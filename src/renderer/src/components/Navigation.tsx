import type { KeyboardEvent } from 'react'
import { useAppFields } from '../hooks/use-store.ts'
import { VIEWS, type View } from '../store/slices/ui-slice.ts'
import { selectFreshness } from '../store/selectors.ts'

const LABELS: Record<View, string> = {
  overview: 'Overview',
  rooms: 'Rooms',
  connections: 'Connections',
  broadcast: 'Broadcast',
  export: 'Export',
  alerts: 'Alerts',
  settings: 'Settings',
}

export function Navigation() {
  const { view, navigate, link, status } = useAppFields((state) => ({
    view: state.view,
    navigate: state.navigate,
    link: state.link,
    status: state.status,
  }))
  const stale = selectFreshness({ link, status }).stale

  // Arrow keys move between sections, as in any tab list.
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    event.preventDefault()
    const step = event.key === 'ArrowDown' ? 1 : -1
    const next = VIEWS[(VIEWS.indexOf(view) + step + VIEWS.length) % VIEWS.length] ?? 'overview'
    navigate(next)
    document.getElementById(`nav-${next}`)?.focus()
  }

  return (
    <nav className="navigation" aria-label="Sections">
      <div className="brand" aria-hidden="true">
        <img className="brand-mark" src="./favicon.svg" alt="" width={22} height={22} />
        Headcount
      </div>
      <ul role="tablist" aria-orientation="vertical" onKeyDown={onKeyDown}>
        {VIEWS.map((candidate) => (
          <li key={candidate} role="presentation">
            <button
              id={`nav-${candidate}`}
              role="tab"
              aria-selected={candidate === view}
              aria-controls="view"
              tabIndex={candidate === view ? 0 : -1}
              className={candidate === view ? 'active' : undefined}
              onClick={() => navigate(candidate)}
            >
              {LABELS[candidate]}
              {candidate === 'connections' && (
                <span
                  className={`nav-dot ${status?.connection === 'connected' && !stale ? 'tone-ok' : stale ? 'tone-error' : status?.connection === 'connecting' ? 'tone-busy' : 'tone-idle'}`}
                  aria-hidden="true"
                />
              )}
            </button>
          </li>
        ))}
      </ul>
      {status?.profile && (
        <div className="nav-connection" aria-label="Active connection">
          <span className="muted">Connected to</span>
          <span className="nav-profile" title={status.profile}>
            {status.profile}
          </span>
        </div>
      )}
    </nav>
  )
}
