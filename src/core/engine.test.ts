import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings.ts'
import { Engine } from './engine.ts'
import { MemorySecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'

function memorySettings(initial: Settings = DEFAULT_SETTINGS, recoveryNote: string | null = null): SettingsStore {
  let current = initial
  return { read: () => current, write: (next) => void (current = next), recoveryNote }
}

function engine(settings = memorySettings()) {
  return new Engine({
    version: '9.9.9',
    runtime: 'web',
    dataDir: '/data',
    settings,
    secrets: new MemorySecretStore(),
    demo: null,
    now: () => new Date('2026-01-02T03:04:05Z'),
  })
}

describe('Engine', () => {
  it('answers that the demo is not available when its shell hands in no way to start one', async () => {
    const subject = engine()
    await expect(subject.handlers['demo.start'](undefined)).rejects.toThrow(
      'The demo is not available in this Headcount',
    )
    expect(await subject.handlers['demo.stop'](undefined)).toMatchObject({ demo: false, connection: 'disconnected' })
  })

  it('describes itself', async () => {
    const info = await engine().handlers['app.info'](undefined)
    expect(info).toMatchObject({
      name: 'Headcount',
      version: '9.9.9',
      runtime: 'web',
      dataDir: '/data',
      electronVersion: null,
    })
    expect(info.nodeVersion).toBe(process.versions.node)
  })

  it('saves settings changes and announces them', async () => {
    const settings = memorySettings()
    const subject = engine(settings)
    const heard = vi.fn()
    subject.events.onAny(heard)
    const saved = await subject.handlers['settings.update']({ theme: 'dark' })
    expect(saved.theme).toBe('dark')
    expect(settings.read().theme).toBe('dark')
    expect(heard).toHaveBeenCalledWith('settings.changed', saved)
  })

  it('reports a failed save as a refusal the operator can read', async () => {
    const settings = memorySettings()
    settings.write = () => {
      throw new Error('EACCES: permission denied')
    }
    await expect(
      Promise.resolve().then(() => engine(settings).handlers['settings.update']({ theme: 'dark' })),
    ).rejects.toMatchObject({
      code: 'failed',
      message: 'Settings could not be saved: EACCES: permission denied',
    })
  })

  it('starts with a status that mentions recovered settings', async () => {
    const status = await engine(memorySettings(DEFAULT_SETTINGS, 'Settings were reset')).handlers['status.get'](
      undefined,
    )
    expect(status).toEqual({
      connection: 'disconnected',
      profile: null,
      profileId: null,
      message: 'Settings were reset',
      at: '2026-01-02T03:04:05.000Z',
      sync: null,
      demo: false,
    })
  })

  it('emits status changes to listeners', () => {
    const subject = engine()
    const heard = vi.fn()
    subject.events.onAny(heard)
    subject.setStatus({ connection: 'connecting', message: 'Connecting' })
    expect(heard).toHaveBeenCalledWith(
      'status',
      expect.objectContaining({ connection: 'connecting', message: 'Connecting' }),
    )
  })
})
