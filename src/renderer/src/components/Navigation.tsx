import type { KeyboardEvent } from 'react'
import { VIEWS, type View } from '../store/app-store.ts'
import { useAppStore } from '../store/context.tsx'

const LABELS: Record<View, string> = {
  overview: 'Overview',
  rooms: 'Rooms',
  broadcast: 'Broadcast',
  export: 'Export',
  settings: 'Settings',
}

export function Navigation() {
  const view = useAppStore((state) => state.view)
  const navigate = useAppStore((state) => state.navigate)

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
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
