import { useEffect, useRef, useSyncExternalStore } from 'react'
import { engineTitle } from '../../shared/engine-choice.ts'
import { EngineBanner } from './components/EngineBanner.tsx'
import { ErrorBanner } from './components/ErrorBanner.tsx'
import { Navigation } from './components/Navigation.tsx'
import { StaleBanner } from './components/StaleBanner.tsx'
import { WebhookBanner } from './components/WebhookBanner.tsx'
import { StatusBar } from './components/StatusBar.tsx'
import { ThemeContext } from './components/theme.tsx'
import { useAlertNotices } from './hooks/use-alert-notices.ts'
import { useAppStore } from './store/context.tsx'
import { selectTheme } from './store/selectors.ts'
import { AlertsView } from './views/AlertsView.tsx'
import { BroadcastView } from './views/BroadcastView.tsx'
import { ConnectionsView } from './views/ConnectionsView.tsx'
import { ExportView } from './views/ExportView.tsx'
import { OverviewView } from './views/OverviewView.tsx'
import { RoomView } from './views/RoomView.tsx'
import { SettingsView } from './views/SettingsView.tsx'

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)')
function subscribeToScheme(onChange: () => void) {
  darkQuery.addEventListener('change', onChange)
  return () => darkQuery.removeEventListener('change', onChange)
}

const VIEW_COMPONENTS = {
  overview: OverviewView,
  rooms: RoomView,
  connections: ConnectionsView,
  broadcast: BroadcastView,
  export: ExportView,
  alerts: AlertsView,
  settings: SettingsView,
}

export function App() {
  const prefersDark = useSyncExternalStore(subscribeToScheme, () => darkQuery.matches)
  const theme = useAppStore((state) => selectTheme(state, prefersDark))
  const view = useAppStore((state) => state.view)
  const engine = useAppStore((state) => state.engine)
  const sidebarCollapsed = useAppStore((state) => state.sidebarCollapsed)
  const CurrentView = VIEW_COMPONENTS[view]
  useAlertNotices()

  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  // The window's title says which engine is shown (Electron shows the page's title in the title bar).
  useEffect(() => {
    document.title = engineTitle(engine)
  }, [engine])

  // Each section opens at its top, as a page would.
  const mainRef = useRef<HTMLElement>(null)
  useEffect(() => {
    mainRef.current?.scrollTo({ top: 0 })
  }, [view])

  return (
    <ThemeContext.Provider value={theme}>
      <div className={sidebarCollapsed ? 'app sidebar-collapsed' : 'app'}>
        <Navigation />
        <main ref={mainRef} className="content" aria-label="Main content">
          <EngineBanner />
          <StaleBanner />
          <WebhookBanner />
          <ErrorBanner />
          <CurrentView />
        </main>
        <StatusBar />
      </div>
    </ThemeContext.Provider>
  )
}
