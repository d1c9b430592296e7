import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS } from '../../../shared/broadcast.ts'
import { ApiError } from '../../../shared/envelope.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../shared/sync.ts'
import { createAppStore } from './app-store.ts'
import { fakeApi, profileView } from './test-api.ts'

async function storeWith(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const saved = [profileView('a'), profileView('b')]
  const fake = fakeApi({ 'profiles.list': () => saved, ...overrides })
  const store = createAppStore(fake.api, 'open')
  await store.getState().loadProfiles()
  return { ...fake, store, saved }
}

describe('app store: profiles slice', () => {
  it("applies the engine's broadcaster settings to that profile at once, and no other", async () => {
    const answer = { ...DEFAULT_BROADCAST_SETTINGS, enabled: true, intervalMs: 500 }
    const { store, call } = await storeWith({ 'broadcast.set': () => answer })
    const other = store.getState().profiles[1]
    const outcome = await store.getState().setBroadcast('a', { enabled: true, intervalMs: 500 })
    expect(outcome).toEqual({ ok: true, value: answer })
    expect(call).toHaveBeenCalledWith('broadcast.set', { id: 'a', settings: { enabled: true, intervalMs: 500 } })
    expect(store.getState().profiles[0]?.broadcast).toEqual(answer)
    expect(store.getState().profiles[1]).toBe(other)
  })

  it("keeps the profile as it was when the engine refuses, and answers with the engine's words", async () => {
    const { store } = await storeWith({
      'broadcast.set': () => {
        throw new ApiError('bad-request', 'Invalid input for broadcast.set: settings.intervalMs: Too small')
      },
    })
    const before = store.getState().profiles[0]
    expect(await store.getState().setBroadcast('a', { intervalMs: 1 })).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'Invalid input for broadcast.set: settings.intervalMs: Too small' },
    })
    expect(store.getState().profiles[0]).toBe(before)
  })

  it('keeps the sync options once: what setSync saved is what the profile (and so the overview) reads', async () => {
    const options = { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 30 }
    const { store, call } = await storeWith({ 'sync.setOptions': (input) => (input as { options: unknown }).options })
    expect(await store.getState().setSync('b', options)).toEqual({ ok: true, value: options })
    expect(store.getState().profiles.find((profile) => profile.id === 'b')?.sync.pollIntervalSec).toBe(30)
    expect(store.getState().profiles.find((profile) => profile.id === 'a')?.sync.pollIntervalSec).toBe(5)
    expect(call.mock.calls.map(([method]) => method)).toEqual(['profiles.list', 'sync.setOptions'])
  })

  it('saves a naming convention into the profile from the engine’s answer', async () => {
    const convention = { kind: 'template' as const, template: 'private-{room}-{group}-{user}' }
    const { store } = await storeWith({
      'convention.set': () => ({ convention, prefix: 'private-', separatorWarning: null }),
    })
    const outcome = await store.getState().setConvention('a', convention)
    expect(outcome).toMatchObject({ ok: true, value: { prefix: 'private-' } })
    expect(store.getState().profiles[0]?.convention).toEqual(convention)
  })

  it('previews a draft convention without changing any profile', async () => {
    const preview = { prefix: 'x-', separatorWarning: null, error: null, rows: [] }
    const { store } = await storeWith({ 'convention.preview': () => preview })
    const before = store.getState().profiles
    const outcome = await store
      .getState()
      .previewConvention({ kind: 'template', template: 'x-{room}-{user}' }, ['x-a-b'])
    expect(outcome).toEqual({ ok: true, value: preview })
    expect(store.getState().profiles).toBe(before)
  })

  it('reloads the profiles when the engine says the settings changed (another window, the CLI)', async () => {
    const { store, emit, saved } = await storeWith()
    saved[0] = profileView('a', { broadcast: { ...DEFAULT_BROADCAST_SETTINGS, enabled: true } })
    emit('settings.changed', { ...DEFAULT_SETTINGS, profiles: saved })
    await vi.waitFor(() => expect(store.getState().profiles[0]?.broadcast.enabled).toBe(true))
  })

  it('reloads the list after a delete, and keeps it when the delete is refused', async () => {
    let refuse = true
    const { store, saved } = await storeWith({
      'profiles.delete': (input) => {
        if (refuse) throw new ApiError('failed', 'No saved connection with id zz')
        saved.splice(
          saved.findIndex((profile) => profile.id === (input as { id: string }).id),
          1,
        )
        return null
      },
    })
    expect(await store.getState().deleteProfile('zz')).toMatchObject({ ok: false, error: { code: 'failed' } })
    expect(store.getState().profiles).toHaveLength(2)
    refuse = false
    expect(await store.getState().deleteProfile('a')).toEqual({ ok: true, value: null })
    expect(store.getState().profiles.map((profile) => profile.id)).toEqual(['b'])
  })
})
