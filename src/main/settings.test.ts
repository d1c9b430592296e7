import { tmpdir } from 'node:os'
import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../shared/settings.ts'
import { silentLogger } from '../core/logger.ts'
import { MemoryStore } from './test-doubles.ts'

vi.mock('electron-store', () => ({ default: MemoryStore }))
const { ElectronSettingsStore } = await import('./settings.ts')

describe('ElectronSettingsStore', () => {
  it('migrates what electron-store holds and writes it back on change', () => {
    const backing = new MemoryStore({ defaults: { settings: { theme: 'dark' } } })
    const store = new ElectronSettingsStore(silentLogger, backing as never)
    expect(store.read()).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(store.stored).toBe(true)
    store.write({ ...DEFAULT_SETTINGS, theme: 'light' })
    expect(backing.data.settings).toEqual({ ...DEFAULT_SETTINGS, theme: 'light' })
  })

  it('keeps unusable settings under another key and starts from defaults', () => {
    const backing = new MemoryStore({ defaults: { settings: { version: 1, rawRetentionDays: 'many' } } })
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new ElectronSettingsStore(logger, backing as never)
    expect(store.read()).toEqual(DEFAULT_SETTINGS)
    expect(store.recoveryNote).toMatch(/rawRetentionDays/)
    expect(store.stored).toBe(false)
    const keptKey = Object.keys(backing.data).find((key) => key.startsWith('invalid-'))
    expect(keptKey && backing.data[keptKey]).toEqual({ version: 1, rawRetentionDays: 'many' })
    expect(logger.warn).toHaveBeenCalledOnce()
  })

  it('creates its own electron-store when none is given', () => {
    expect(new ElectronSettingsStore(silentLogger, { dir: tmpdir() }).read()).toEqual(DEFAULT_SETTINGS)
  })

  it('says settings were stored only when there were some to read', () => {
    expect(new ElectronSettingsStore(silentLogger, new MemoryStore({}) as never).stored).toBe(false)
  })

  describe('the engine shown (this computer or a shared server)', () => {
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':')

    it('starts on this computer’s engine, and keeps a choice beside the settings', () => {
      const backing = new MemoryStore({})
      const store = new ElectronSettingsStore(silentLogger, backing as never)
      expect(store.engineChoice.read()).toEqual({ shown: 'local', server: null })
      const choice = { shown: 'remote' as const, server: { url: 'https://team.example:7480', fingerprint } }
      store.engineChoice.write(choice)
      expect(backing.data.engine).toEqual(choice)
      expect(new ElectronSettingsStore(silentLogger, backing as never).engineChoice.read()).toEqual(choice)
      // The engine's settings are not touched by it.
      expect(store.read()).toEqual(DEFAULT_SETTINGS)
    })

    it('keeps an unreadable choice aside and shows this computer’s engine', () => {
      const backing = new MemoryStore({ defaults: { engine: { shown: 'remote', server: { url: 42 } } } })
      const logger = { ...silentLogger, warn: vi.fn() }
      const store = new ElectronSettingsStore(logger, backing as never)
      expect(store.engineChoice.read()).toEqual({ shown: 'local', server: null })
      const kept = Object.keys(backing.data).find((key) => key.startsWith('invalid-engine-'))
      expect(kept && backing.data[kept]).toEqual({ shown: 'remote', server: { url: 42 } })
      expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/engine choice could not be used/))
    })
  })
})
