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
    store.write({ ...DEFAULT_SETTINGS, theme: 'light' })
    expect(backing.data.settings).toEqual({ ...DEFAULT_SETTINGS, theme: 'light' })
  })

  it('keeps unusable settings under another key and starts from defaults', () => {
    const backing = new MemoryStore({ defaults: { settings: { version: 1, rawRetentionDays: 'many' } } })
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new ElectronSettingsStore(logger, backing as never)
    expect(store.read()).toEqual(DEFAULT_SETTINGS)
    expect(store.recoveryNote).toMatch(/rawRetentionDays/)
    const keptKey = Object.keys(backing.data).find((key) => key.startsWith('invalid-'))
    expect(keptKey && backing.data[keptKey]).toEqual({ version: 1, rawRetentionDays: 'many' })
    expect(logger.warn).toHaveBeenCalledOnce()
  })

  it('creates its own electron-store when none is given', () => {
    expect(new ElectronSettingsStore(silentLogger, { dir: tmpdir() }).read()).toEqual(DEFAULT_SETTINGS)
  })
})
