import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS } from '../shared/broadcast.ts'
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings.ts'
import { ProfileService } from './profiles.ts'
import { MemorySecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'

const connection = { appId: '42', key: 'app-key', target: { kind: 'cluster' as const, cluster: 'eu' } }

function service() {
  let current: Settings = DEFAULT_SETTINGS
  const settings: SettingsStore = { read: () => current, write: (next) => void (current = next), recoveryNote: null }
  const secrets = new MemorySecretStore()
  const changed = vi.fn()
  return { profiles: new ProfileService(settings, secrets, changed), settings, secrets, changed }
}

describe('ProfileService', () => {
  it('keeps the secret out of settings and out of what the UI sees', async () => {
    const { profiles, settings, changed } = service()
    const saved = await profiles.save({ name: 'Production', connection, secret: 'top-secret' })
    expect(saved).toMatchObject({
      name: 'Production',
      hasSecret: true,
      convention: { kind: 'template', template: 'private-{room}-{user}' },
    })
    expect(JSON.stringify(saved)).not.toContain('top-secret')
    expect(JSON.stringify(settings.read())).not.toContain('top-secret')
    expect(await profiles.credentials(saved.id)).toEqual({ ...connection, secret: 'top-secret' })
    expect(changed).toHaveBeenCalledOnce()
  })

  it('needs a secret for a new profile and keeps the old one when an edit gives none', async () => {
    const { profiles } = service()
    await expect(profiles.save({ name: 'No secret', connection })).rejects.toMatchObject({
      code: 'bad-request',
      message: /needs its app secret/,
    })
    const saved = await profiles.save({ name: 'Production', connection, secret: 's1' })
    await profiles.save({ id: saved.id, name: 'Production (EU)', connection: { ...connection, key: 'new-key' } })
    expect(await profiles.credentials(saved.id)).toMatchObject({ key: 'new-key', secret: 's1' })
    expect((await profiles.list()).map((profile) => profile.name)).toEqual(['Production (EU)'])
  })

  it('refuses duplicate names and unknown ids', async () => {
    const { profiles } = service()
    await profiles.save({ name: 'Production', connection, secret: 's' })
    await expect(profiles.save({ name: 'Production', connection, secret: 's' })).rejects.toMatchObject({
      message: /already exists/,
    })
    await expect(profiles.save({ id: 'nope', name: 'X', connection })).rejects.toMatchObject({
      message: /No saved connection/,
    })
    await expect(profiles.delete('nope')).rejects.toMatchObject({ message: /No saved connection/ })
  })

  it('forgets a deleted profile, its secret and its active mark', async () => {
    const { profiles, secrets } = service()
    const saved = await profiles.save({ name: 'Staging', connection, secret: 's' })
    profiles.setActive(saved.id)
    await profiles.delete(saved.id)
    expect(profiles.all()).toEqual([])
    expect(profiles.activeId).toBeNull()
    expect(await secrets.get(`profile:${saved.id}`)).toBeUndefined()
  })

  it('does not save a profile whose secret could not be stored', async () => {
    const { profiles, secrets } = service()
    vi.spyOn(secrets, 'set').mockRejectedValueOnce(new Error('keychain locked'))
    await expect(profiles.save({ name: 'Production', connection, secret: 's' })).rejects.toMatchObject({
      message: /keychain locked/,
    })
    expect(profiles.all()).toEqual([])
  })

  it('lists which profiles have a secret without reading (decrypting) any of them', async () => {
    const { profiles, secrets } = service()
    const kept = await profiles.save({ name: 'Production', connection, secret: 's' })
    const lost = await profiles.save({ name: 'Staging', connection, secret: 's' })
    await secrets.delete(`profile:${lost.id}`)
    const read = vi.spyOn(secrets, 'get')
    expect((await profiles.list()).map(({ id, hasSecret }) => ({ id, hasSecret }))).toEqual([
      { id: kept.id, hasSecret: true },
      { id: lost.id, hasSecret: false },
    ])
    expect(read).not.toHaveBeenCalled()
  })

  describe('pointing a profile at another app', () => {
    const agreed = { ...DEFAULT_BROADCAST_SETTINGS, enabled: true, force: true, confirmed: true, intervalMs: 2000 }
    const host = { kind: 'host' as const, host: '127.0.0.1', port: 6001, useTLS: false }

    it.each([
      ['app id', { ...connection, appId: '43' }],
      ['key', { ...connection, key: 'other-key' }],
      ['cluster', { ...connection, target: { kind: 'cluster' as const, cluster: 'mt1' } }],
      ['cluster to host', { ...connection, target: host }],
    ])('asks again after a change of %s: off, not confirmed, not forced; the rest kept', async (_change, next) => {
      const { profiles } = service()
      const saved = await profiles.save({ name: 'Production', connection, secret: 's', broadcast: agreed })
      const edited = await profiles.save({ id: saved.id, name: 'Production', connection: next })
      expect(edited.broadcast).toEqual({ ...agreed, enabled: false, force: false, confirmed: false })
      expect(profiles.get(saved.id).broadcast.confirmed).toBe(false)
    })

    it('asks again after a change of host, port or TLS', async () => {
      const { profiles } = service()
      const saved = await profiles.save({ name: 'Local', connection: { ...connection, target: host }, secret: 's' })
      for (const target of [
        { ...host, host: '10.0.0.2' },
        { ...host, port: 6002 },
        { ...host, useTLS: true },
      ]) {
        profiles.update(saved.id, { broadcast: agreed })
        const edited = await profiles.save({ id: saved.id, name: 'Local', connection: { ...connection, target } })
        expect(edited.broadcast.confirmed).toBe(false)
      }
    })

    it('keeps what was agreed when the same app is saved again (a new name, a new secret)', async () => {
      const { profiles } = service()
      const saved = await profiles.save({ name: 'Production', connection, secret: 's', broadcast: agreed })
      const edited = await profiles.save({
        id: saved.id,
        name: 'Production (EU)',
        connection: { ...connection, target: { kind: 'cluster', cluster: 'eu' } },
        secret: 'rotated',
      })
      expect(edited.broadcast).toEqual(agreed)
    })
  })
})
