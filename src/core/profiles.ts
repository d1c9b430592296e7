import { randomUUID } from 'node:crypto'
import { appIdentity, type Credentials } from '../shared/connection.ts'
import { ApiError } from '../shared/envelope.ts'
import { type BroadcastSettings, DEFAULT_BROADCAST_SETTINGS } from '../shared/broadcast.ts'
import { DEFAULT_CONVENTION } from '../shared/naming.ts'
import type { Profile, ProfileInput, ProfileView } from '../shared/profiles.ts'
import { applySettingsPatch, type Settings } from '../shared/settings.ts'
import { DEFAULT_SYNC_OPTIONS } from '../shared/sync.ts'
import type { SecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'

const secretId = (profileId: string) => `profile:${profileId}`

/**
 * Broadcast settings for a profile now pointing at another app: what the operator agreed to for the old
 * app (confirming its cost, forcing past its other broadcaster, switching on) is asked again for the new one.
 */
function retargeted(settings: BroadcastSettings): BroadcastSettings {
  return { ...settings, enabled: false, force: false, confirmed: false }
}

/**
 * Saved connections. Profiles live in settings, their secrets in the secret store; only `credentials`
 * (used inside the engine) ever puts the two together.
 */
export class ProfileService {
  private readonly settings: SettingsStore
  private readonly secrets: SecretStore
  private readonly onChange: (settings: Settings) => void

  constructor(settings: SettingsStore, secrets: SecretStore, onChange: (settings: Settings) => void) {
    this.settings = settings
    this.secrets = secrets
    this.onChange = onChange
  }

  private write(patch: Partial<Omit<Settings, 'version'>>): void {
    const next = applySettingsPatch(this.settings.read(), patch)
    try {
      this.settings.write(next)
    } catch (error) {
      throw new ApiError('failed', `Settings could not be saved: ${(error as Error).message}`)
    }
    this.onChange(next)
  }

  all(): Profile[] {
    return this.settings.read().profiles
  }

  get(id: string): Profile {
    const profile = this.all().find((candidate) => candidate.id === id)
    if (!profile) throw new ApiError('failed', `No saved connection with id ${id}`)
    return profile
  }

  async list(): Promise<ProfileView[]> {
    return Promise.all(this.all().map((profile) => this.view(profile)))
  }

  async view(profile: Profile): Promise<ProfileView> {
    return { ...profile, hasSecret: await this.secrets.has(secretId(profile.id)) }
  }

  async save(input: ProfileInput): Promise<ProfileView> {
    const existing = input.id === undefined ? undefined : this.all().find((profile) => profile.id === input.id)
    if (input.id !== undefined && !existing) throw new ApiError('failed', `No saved connection with id ${input.id}`)
    if (!existing && input.secret === undefined) {
      throw new ApiError('bad-request', 'A new connection needs its app secret', [
        { path: 'secret', message: 'Secret is required' },
      ])
    }
    const duplicate = this.all().find((profile) => profile.name === input.name && profile.id !== existing?.id)
    if (duplicate) {
      throw new ApiError('bad-request', `A connection named "${input.name}" already exists`, [
        { path: 'name', message: 'Name already used' },
      ])
    }
    const profile: Profile = {
      id: existing?.id ?? randomUUID(),
      name: input.name,
      connection: input.connection,
      convention: input.convention ?? existing?.convention ?? DEFAULT_CONVENTION,
      sync: input.sync ?? existing?.sync ?? DEFAULT_SYNC_OPTIONS,
      broadcast: input.broadcast ?? existing?.broadcast ?? DEFAULT_BROADCAST_SETTINGS,
      // Changed only through the alert methods: saving the connection's form keeps them.
      alerts: existing?.alerts ?? [],
    }
    if (existing && appIdentity(existing.connection) !== appIdentity(input.connection))
      profile.broadcast = retargeted(profile.broadcast)
    // The secret first: a profile must never be saved pointing at a secret that failed to save.
    if (input.secret !== undefined) {
      try {
        await this.secrets.set(secretId(profile.id), input.secret)
      } catch (error) {
        throw new ApiError('failed', `The secret could not be stored: ${(error as Error).message}`)
      }
    }
    const profiles = existing
      ? this.all().map((candidate) => (candidate.id === profile.id ? profile : candidate))
      : [...this.all(), profile]
    this.write({ profiles })
    return this.view(profile)
  }

  update(id: string, change: Partial<Pick<Profile, 'convention' | 'sync' | 'broadcast' | 'alerts'>>): Profile {
    const profile = { ...this.get(id), ...change }
    this.write({ profiles: this.all().map((candidate) => (candidate.id === id ? profile : candidate)) })
    return profile
  }

  async delete(id: string): Promise<void> {
    this.get(id)
    const settings = this.settings.read()
    this.write({
      profiles: settings.profiles.filter((profile) => profile.id !== id),
      activeProfileId: settings.activeProfileId === id ? null : settings.activeProfileId,
    })
    await this.secrets.delete(secretId(id))
  }

  setActive(id: string | null): void {
    this.write({ activeProfileId: id })
  }

  get activeId(): string | null {
    return this.settings.read().activeProfileId
  }

  /** The profile's connection with its secret, for the engine's own use. */
  async credentials(id: string): Promise<Credentials> {
    const profile = this.get(id)
    const secret = await this.secrets.get(secretId(id))
    if (secret === undefined)
      throw new ApiError('failed', `The secret for "${profile.name}" is missing; enter it again`)
    return { ...profile.connection, secret }
  }
}
