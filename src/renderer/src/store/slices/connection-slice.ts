import type { AppInfo } from '../../../../shared/app-info.ts'
import type { Settings, SettingsPatch } from '../../../../shared/settings.ts'
import type { Status } from '../../../../shared/status.ts'
import type { LinkState } from '../../api/ws-transport.ts'
import { attempt, describeError, type Outcome } from '../outcome.ts'
import type { ExportSlice } from './export-slice.ts'
import type { LiveSlice } from './live-slice.ts'
import type { ProfilesSlice } from './profiles-slice.ts'
import type { SliceCreator } from './types.ts'
import type { UiSlice } from './ui-slice.ts'

/** The operator's preferences; the profiles in the settings are kept once, by the profiles slice. */
export type Preferences = Omit<Settings, 'profiles'>

export function preferencesOf({ profiles: _profiles, ...preferences }: Settings): Preferences {
  return preferences
}

export interface ConnectionSlice {
  /** The link between this UI and the engine: always up in Electron, a WebSocket in web mode. */
  link: LinkState
  /** Why the link is down when it is not merely retrying (a refused token, a shared server's problem), in words. */
  linkProblem: string | null
  info: AppInfo | null
  status: Status | null
  settings: Preferences | null
  /** What is being switched right now ('demo', 'connect', 'disconnect'), for busy buttons. */
  switching: string | null
  setLink(link: LinkState, problem?: string | null): void
  /** Loads info, status, settings, profiles and rooms; called at start and whenever the link comes back. */
  refresh(): Promise<void>
  /** Settings as the engine sent them (an event or a reply). */
  applySettings(settings: Settings): void
  updateSettings(patch: SettingsPatch): Promise<Outcome<Preferences>>
  connect(id: string): Promise<Outcome<Status>>
  disconnect(): Promise<Outcome<Status>>
  startDemo(): Promise<Outcome<Status>>
  stopDemo(): Promise<Outcome<Status>>
  syncNow(): Promise<Outcome<null>>
  /** An engine status arrived (event or reply): a new connection starts a fresh live view. */
  applyStatus(status: Status): void
}

type Uses = Pick<UiSlice, 'error'> &
  Pick<LiveSlice, 'resetLive' | 'loadRooms'> &
  Pick<ProfilesSlice, 'loadProfiles'> &
  Pick<ExportSlice, 'loadExports'>

export const createConnectionSlice: SliceCreator<ConnectionSlice, Uses> = (set, get, api) => {
  /** Runs a switching call, marking it busy; the status it returns is applied at once. */
  const switchWith = async (label: string, call: () => Promise<Status>): Promise<Outcome<Status>> => {
    set({ switching: label })
    const outcome = await attempt(call)
    if (outcome.ok) {
      get().applyStatus(outcome.value)
      void get().loadProfiles()
    }
    set({ switching: null })
    return outcome
  }

  return {
    link: 'open',
    linkProblem: null,
    info: null,
    status: null,
    settings: null,
    switching: null,
    setLink: (link, problem = null) => set({ link, linkProblem: problem }),
    async refresh() {
      try {
        const [info, status, settings] = await Promise.all([
          api.call('app.info'),
          api.call('status.get'),
          api.call('settings.get'),
        ])
        set({ info, settings: preferencesOf(settings) })
        get().applyStatus(status)
        await get().loadProfiles()
        void get().loadExports()
        if (status.connection !== 'disconnected') await get().loadRooms()
      } catch (error) {
        set({ error: describeError(error) })
      }
    },
    applySettings(settings) {
      set({ settings: preferencesOf(settings) })
      void get().loadProfiles()
    },
    async updateSettings(patch) {
      // Shown at once so controls respond without waiting for the round trip; the engine's answer
      // (or the previous settings, on refusal) replaces it.
      const before = get().settings
      if (before) set({ settings: { ...before, ...patch } })
      const outcome = await attempt(async () => preferencesOf(await api.call('settings.update', patch)))
      set({ settings: outcome.ok ? outcome.value : before })
      return outcome
    },
    connect: (id) => switchWith('connect', () => api.call('connection.connect', { id })),
    disconnect: () => switchWith('disconnect', () => api.call('connection.disconnect')),
    startDemo: () => switchWith('demo', () => api.call('demo.start')),
    stopDemo: () => switchWith('demo', () => api.call('demo.stop')),
    syncNow: () => attempt(() => api.call('sync.now')),
    applyStatus(status) {
      const before = get().status
      set({ status })
      if (before?.profileId !== status.profileId) {
        get().resetLive()
        if (status.profileId !== null) void get().loadRooms()
      }
    },
  }
}
