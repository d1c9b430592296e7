import { createStore, type StoreApi } from 'zustand/vanilla'
import type { AppInfo } from '../../../shared/app-info.ts'
import type { Api } from '../../../shared/client.ts'
import { ApiError } from '../../../shared/envelope.ts'
import type { Settings, SettingsPatch } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'

export const VIEWS = ['overview', 'rooms', 'broadcast', 'export', 'settings'] as const
export type View = (typeof VIEWS)[number]

/** The link between this UI and the engine: always up in Electron, a WebSocket in web mode. */
export type LinkState = 'connecting' | 'open' | 'closed'

export interface AppState {
  view: View
  link: LinkState
  info: AppInfo | null
  status: Status | null
  settings: Settings | null
  /** The last failed call, in words, until dismissed. */
  error: string | null
  navigate(view: View): void
  setLink(link: LinkState): void
  /** Loads info, status and settings; called at start and whenever the link comes back. */
  refresh(): Promise<void>
  /** Saves a change; resolves with the error message, or null when saved. */
  updateSettings(patch: SettingsPatch): Promise<string | null>
  dismissError(): void
}

export type AppStore = StoreApi<AppState>

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return error instanceof Error ? error.message : String(error)
}

export function createAppStore(api: Api, initialLink: LinkState): AppStore {
  const store = createStore<AppState>()((set, get) => ({
    view: 'overview',
    link: initialLink,
    info: null,
    status: null,
    settings: null,
    error: null,
    navigate: (view) => set({ view }),
    setLink: (link) => set({ link }),
    async refresh() {
      try {
        const [info, status, settings] = await Promise.all([
          api.call('app.info'),
          api.call('status.get'),
          api.call('settings.get'),
        ])
        set({ info, status, settings })
      } catch (error) {
        set({ error: describe(error) })
      }
    },
    async updateSettings(patch) {
      // Shown at once so controls respond without waiting for the round trip; the engine's answer
      // (or the previous settings, on refusal) replaces it.
      const before = get().settings
      if (before) set({ settings: { ...before, ...patch } })
      try {
        set({ settings: await api.call('settings.update', patch) })
        return null
      } catch (error) {
        set({ settings: before })
        return describe(error)
      }
    },
    dismissError: () => set({ error: null }),
  }))
  api.on('status', (status) => store.setState({ status }))
  api.on('settings.changed', (settings) => store.setState({ settings }))
  return store
}
