import type { BroadcastSettings } from '../../../../shared/broadcast.ts'
import type { MethodInput, MethodResult } from '../../../../shared/contract.ts'
import type { NamingConvention } from '../../../../shared/naming.ts'
import type {
  ConnectionTestInput,
  ConnectionTestResult,
  ProfileInput,
  ProfileView,
} from '../../../../shared/profiles.ts'
import type { SyncOptions } from '../../../../shared/sync.ts'
import { attempt, describeError, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'
import type { UiSlice } from './ui-slice.ts'

export type ConventionInfo = MethodResult<'convention.set'>
export type ConventionPreview = MethodResult<'convention.preview'>
export type ConventionImpact = MethodResult<'convention.impact'>
export type BroadcastSettingsPatch = MethodInput<'broadcast.set'>['settings']

/**
 * The saved connections as the engine has them: the one copy of each connection's sync options,
 * naming convention and broadcaster settings in the UI. Every change goes through an action that
 * applies the engine's answer at once; `settings.changed` then reloads the list from the engine.
 */
export interface ProfilesSlice {
  profiles: ProfileView[]
  loadProfiles(): Promise<void>
  saveProfile(input: ProfileInput): Promise<Outcome<ProfileView>>
  deleteProfile(id: string): Promise<Outcome<null>>
  testConnection(input: ConnectionTestInput): Promise<Outcome<ConnectionTestResult>>
  setSync(id: string, options: SyncOptions): Promise<Outcome<SyncOptions>>
  setConvention(id: string, convention: NamingConvention): Promise<Outcome<ConventionInfo>>
  /** How sample channel names parse under a convention not saved yet: a form's draft, so not kept here. */
  previewConvention(convention: NamingConvention, samples: string[]): Promise<Outcome<ConventionPreview>>
  /** How many of the channels present now a convention not saved yet would read differently. */
  conventionImpact(id: string, convention: NamingConvention): Promise<Outcome<ConventionImpact>>
  /** Changes some broadcaster settings (the rest keep their value); `enabled` is the switch. */
  setBroadcast(id: string, patch: BroadcastSettingsPatch): Promise<Outcome<BroadcastSettings>>
}

export const createProfilesSlice: SliceCreator<ProfilesSlice, Pick<UiSlice, 'error'>> = (set, get, api) => {
  /** Applies a part of a profile the engine has just confirmed, without waiting for the list. */
  const patchProfile = (id: string, change: Partial<ProfileView>) =>
    set({ profiles: get().profiles.map((profile) => (profile.id === id ? { ...profile, ...change } : profile)) })

  return {
    profiles: [],
    async loadProfiles() {
      try {
        const profiles = await api.call('profiles.list')
        set({ profiles: Array.isArray(profiles) ? profiles : [] })
      } catch (error) {
        set({ error: describeError(error) })
      }
    },
    async saveProfile(input) {
      const outcome = await attempt(() => api.call('profiles.save', input))
      if (outcome.ok) await get().loadProfiles()
      return outcome
    },
    async deleteProfile(id) {
      const outcome = await attempt(() => api.call('profiles.delete', { id }))
      if (outcome.ok) await get().loadProfiles()
      return outcome
    },
    testConnection: (input) => attempt(() => api.call('profiles.test', input)),
    async setSync(id, options) {
      const outcome = await attempt(() => api.call('sync.setOptions', { id, options }))
      if (outcome.ok) patchProfile(id, { sync: outcome.value })
      return outcome
    },
    async setConvention(id, convention) {
      const outcome = await attempt(() => api.call('convention.set', { id, convention }))
      if (outcome.ok) patchProfile(id, { convention: outcome.value.convention })
      return outcome
    },
    previewConvention: (convention, samples) => attempt(() => api.call('convention.preview', { convention, samples })),
    conventionImpact: (id, convention) => attempt(() => api.call('convention.impact', { id, convention })),
    async setBroadcast(id, patch) {
      const outcome = await attempt(() => api.call('broadcast.set', { id, settings: patch }))
      if (outcome.ok) patchProfile(id, { broadcast: outcome.value })
      return outcome
    },
  }
}
