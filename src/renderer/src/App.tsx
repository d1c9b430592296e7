import { useEffect, useSyncExternalStore } from 'react'
import { Navigation } from './components/Navigation.tsx'
import { StatusBar } from './components/StatusBar.tsx'
import { ErrorBanner } from './components/ErrorBanner.tsx'
import { selectTheme } from './store/selectors.ts'
import { useAppStore } from './store/context.tsx'
import { BroadcastView } from './views/BroadcastView.tsx'
import { ExportView } from './views/ExportView.tsx'
import { OverviewView } from './views/OverviewView.tsx'
import { RoomsView } from './views/RoomsView.tsx'
import { SettingsView } from './views/SettingsView.tsx'

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)')
function subscribeToScheme(onChange: () => void) {
  darkQuery.addEventListener('change', onChange)
  return () => darkQuery.removeEventListener('change', onChange)
}

const VIEW_COMPONENTS = {
  overview: OverviewView,
  rooms: RoomsView,
  broadcast: BroadcastView,
  export: ExportView,
  settings: SettingsView,
}

export function App() {
  const prefersDark = useSyncExternalStore(subscribeToScheme, () => darkQuery.matches)
  const theme = useAppStore((state) => selectTheme(state, prefersDark))
  const view = useAppStore((state) => state.view)
  const CurrentView = VIEW_COMPONENTS[view]

  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  return (
    <div className="app">
      <Navigation />
      <main className="content" aria-label="Main content">
        <ErrorBanner />
        <CurrentView />
      </main>
      <StatusBar />
    </div>
  )
}
