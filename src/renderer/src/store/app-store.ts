import { createStore, type StoreApi } from 'zustand/vanilla'
import type { Api } from '../../../shared/client.ts'
import { createAlertsSlice, type AlertsSlice } from './slices/alerts-slice.ts'
import { createBroadcastSlice, type BroadcastSlice } from './slices/broadcast-slice.ts'
import type { LinkState } from '../api/ws-transport.ts'
import { createConnectionSlice, type ConnectionSlice } from './slices/connection-slice.ts'
import { createEngineSlice, type EngineSlice } from './slices/engine-slice.ts'
import { createExportSlice, type ExportSlice } from './slices/export-slice.ts'
import { createHistorySlice, type HistorySlice } from './slices/history-slice.ts'
import { createLiveSlice, type LiveSlice } from './slices/live-slice.ts'
import { createProfilesSlice, type ProfilesSlice } from './slices/profiles-slice.ts'
import { createUiSlice, type UiSlice } from './slices/ui-slice.ts'

/**
 * The renderer's one store, made of small slices: the connection (link, status, preferences), the
 * engine shown (this computer's or a shared server's, desktop only), the
 * saved profiles with their settings, broadcasting's friend graphs and previews, the live rooms fed by
 * ticks, chart history, export jobs and the UI's own state. Server state lives here once; components
 * subscribe to the few fields they draw, through selectors, and change it through typed actions.
 */
export type AppState = UiSlice &
  ConnectionSlice &
  EngineSlice &
  ProfilesSlice &
  BroadcastSlice &
  LiveSlice &
  HistorySlice &
  ExportSlice &
  AlertsSlice
export type AppStore = StoreApi<AppState>

export function createAppStore(api: Api, initialLink: LinkState): AppStore {
  const store = createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get, api),
    ...createConnectionSlice(set, get, api),
    ...createEngineSlice(set, get, api),
    ...createProfilesSlice(set, get, api),
    ...createBroadcastSlice(set, get, api),
    ...createLiveSlice(set, get, api),
    ...createHistorySlice(set, get, api),
    ...createExportSlice(set, get, api),
    ...createAlertsSlice(set, get, api),
    link: initialLink,
  }))
  const state = () => store.getState()
  api.on('status', (status) => state().applyStatus(status))
  api.on('settings.changed', (settings) => state().applySettings(settings))
  api.on('tick', (tick) => state().applyTick(tick))
  api.on('export.progress', (progress) => state().applyExportProgress(progress))
  api.on('alert', (event) => state().applyAlert(event))
  // Each connection has its own alert log (in its history): read it when one is connected.
  let alertsOf: string | null = null
  store.subscribe(({ status }) => {
    const profileId = status?.connection === 'connected' ? status.profileId : null
    if (profileId === alertsOf) return
    alertsOf = profileId
    store.setState({ alertLog: null, alertLogError: null })
    if (profileId !== null) void state().loadAlertLog()
  })
  return store
}
