import type { AppInfo } from '../../../../shared/app-info.ts'
import type { InputArgs, MethodName, MethodResult } from '../../../../shared/contract.ts'
import type {
  ConnectionTestInput,
  ConnectionTestResult,
  ProfileInput,
  ProfileView,
} from '../../../../shared/profiles.ts'
import type { Settings, SettingsPatch } from '../../../../shared/settings.ts'
import type { Status } from '../../../../shared/status.ts'
import type { LinkState } from '../../api/ws-transport.ts'
import { describeError, type SliceCreator } from './types.ts'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string }

export interface ConnectionSlice {
  /** The link between this UI and the engine: always up in Electron, a WebSocket in web mode. */
  link: LinkState
  info: AppInfo | null
  status: Status | null
  settings: Settings | null
  profiles: ProfileView[]
  /** What is being switched right now ('demo', 'connect', 'disconnect'), for busy buttons. */
  switching: string | null
  setLink(link: LinkState): void
  /** Loads info, status, settings, profiles and rooms; called at start and whenever the link comes back. */
  refresh(): Promise<void>
  loadProfiles(): Promise<void>
  /** Saves a change; resolves with the error message, or null when saved. */
  updateSettings(patch: SettingsPatch): Promise<string | null>
  saveProfile(input: ProfileInput): Promise<Outcome<ProfileView>>
  deleteProfile(id: string): Promise<string | null>
  testConnection(input: ConnectionTestInput): Promise<Outcome<ConnectionTestResult>>
  connect(id: string): Promise<string | null>
  disconnect(): Promise<string | null>
  startDemo(): Promise<string | null>
  stopDemo(): Promise<string | null>
  syncNow(): Promise<string | null>
  /** Any contract call, its failure in words: for forms that show the engine's answer where it was asked. */
  request<M extends MethodName>(method: M, ...input: InputArgs<M>): Promise<Outcome<MethodResult<M>>>
  /** An engine status arrived (event or reply): a new connection starts a fresh live view. */
  applyStatus(status: Status): void
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, get, api) => {
  /** Runs a switching call, marking it busy; the status it returns is applied at once. */
  const switchWith = async (label: string, call: () => Promise<Status>): Promise<string | null> => {
    set({ switching: label })
    try {
      get().applyStatus(await call())
      void get().loadProfiles()
      return null
    } catch (error) {
      return describeError(error)
    } finally {
      set({ switching: null })
    }
  }

  return {
    link: 'open',
    info: null,
    status: null,
    settings: null,
    profiles: [],
    switching: null,
    setLink: (link) => set({ link }),
    async refresh() {
      try {
        const [info, status, settings] = await Promise.all([
          api.call('app.info'),
          api.call('status.get'),
          api.call('settings.get'),
        ])
        set({ info, settings })
        get().applyStatus(status)
        await get().loadProfiles()
        if (status.connection !== 'disconnected') await get().loadRooms()
      } catch (error) {
        set({ error: describeError(error) })
      }
    },
    async loadProfiles() {
      try {
        const profiles = await api.call('profiles.list')
        set({ profiles: Array.isArray(profiles) ? profiles : [] })
      } catch (error) {
        set({ error: describeError(error) })
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
        return describeError(error)
      }
    },
    async saveProfile(input) {
      try {
        const profile = await api.call('profiles.save', input)
        await get().loadProfiles()
        return { ok: true, value: profile }
      } catch (error) {
        return { ok: false, error: describeError(error) }
      }
    },
    async deleteProfile(id) {
      try {
        await api.call('profiles.delete', { id })
        await get().loadProfiles()
        return null
      } catch (error) {
        return describeError(error)
      }
    },
    async testConnection(input) {
      try {
        return { ok: true, value: await api.call('profiles.test', input) }
      } catch (error) {
        return { ok: false, error: describeError(error) }
      }
    },
    connect: (id) => switchWith('connect', () => api.call('connection.connect', { id })),
    disconnect: () => switchWith('disconnect', () => api.call('connection.disconnect')),
    startDemo: () => switchWith('demo', () => api.call('demo.start')),
    stopDemo: () => switchWith('demo', () => api.call('demo.stop')),
    async syncNow() {
      try {
        await api.call('sync.now')
        return null
      } catch (error) {
        return describeError(error)
      }
    },
    async request(method, ...input) {
      try {
        return { ok: true, value: await api.call(method, ...input) }
      } catch (error) {
        return { ok: false, error: describeError(error) }
      }
    },
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
