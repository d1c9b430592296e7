import { createStore, type StoreApi } from 'zustand/vanilla'
import type { Api } from '../../../shared/client.ts'
import type { LinkState } from '../api/ws-transport.ts'
import { createConnectionSlice, type ConnectionSlice } from './slices/connection-slice.ts'
import { createExportSlice, type ExportSlice } from './slices/export-slice.ts'
import { createHistorySlice, type HistorySlice } from './slices/history-slice.ts'
import { createLiveSlice, type LiveSlice } from './slices/live-slice.ts'
import { createUiSlice, type UiSlice } from './slices/ui-slice.ts'

export { VIEWS, type View } from './slices/ui-slice.ts'

/**
 * The renderer's one store, made of small slices: the connection (link, status, settings, profiles),
 * the live rooms fed by ticks, chart history, export jobs and the UI's own state. Components subscribe
 * to the few fields they draw, through selectors.
 */
export type AppState = UiSlice & ConnectionSlice & LiveSlice & HistorySlice & ExportSlice
export type AppStore = StoreApi<AppState>

export function createAppStore(api: Api, initialLink: LinkState): AppStore {
  const store = createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get, api),
    ...createConnectionSlice(set, get, api),
    ...createLiveSlice(set, get, api),
    ...createHistorySlice(set, get, api),
    ...createExportSlice(set, get, api),
    link: initialLink,
  }))
  const state = () => store.getState()
  api.on('status', (status) => state().applyStatus(status))
  api.on('settings.changed', (settings) => {
    store.setState({ settings })
    void state().loadProfiles()
  })
  api.on('tick', (tick) => state().applyTick(tick))
  api.on('export.progress', (progress) => state().applyExportProgress(progress))
  return store
}
