import type { KeyboardEvent } from 'react'
import { useAppFields } from '../hooks/use-store.ts'
import { CopyViewLink } from './CopyViewLink.tsx'
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
  const { view, navigate, collapsed, setCollapsed, link, status } = useAppFields((state) => ({
    view: state.view,
    navigate: state.navigate,
    collapsed: state.sidebarCollapsed,
    setCollapsed: state.setSidebarCollapsed,
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
    <nav id="sidebar" className={collapsed ? 'navigation collapsed' : 'navigation'} aria-label="Sections">
      <div className="brand-row">
        <div className="brand" aria-hidden="true">
          <img className="brand-mark" src="./favicon.svg" alt="" width={22} height={22} />
          <span className="nav-text">Headcount</span>
        </div>
        <button
          type="button"
          className="sidebar-toggle"
          aria-expanded={!collapsed}
          aria-controls="sidebar"
          aria-label={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'}
          title={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'}
          onClick={() => setCollapsed(!collapsed)}
        >
          <span aria-hidden="true">{collapsed ? '»' : '«'}</span>
        </button>
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
              {/* Collapsed, a section shows its initial; its name stays its accessible name. */}
              <span className="nav-initial" aria-hidden="true">
                {LABELS[candidate].slice(0, 1)}
              </span>
              <span className="nav-text">{LABELS[candidate]}</span>
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
      {!collapsed && <CopyViewLink />}
      {status?.profile && !collapsed && (
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
