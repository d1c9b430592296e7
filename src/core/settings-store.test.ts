import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../shared/settings.ts'
import { silentLogger } from './logger.ts'
import { FileSettingsStore } from './settings-store.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-settings-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('FileSettingsStore', () => {
  it('starts from defaults and persists what is written', () => {
    const path = join(dir, 'nested', 'settings.json')
    const store = new FileSettingsStore(path, silentLogger)
    expect(store.read()).toEqual(DEFAULT_SETTINGS)
    // Defaults for a missing file say nothing for sure about which connections exist.
    expect(store.stored).toBe(false)
    store.write({ ...DEFAULT_SETTINGS, theme: 'dark' })
    const again = new FileSettingsStore(path, silentLogger)
    expect(again.read().theme).toBe('dark')
    expect(again.stored).toBe(true)
    expect(readdirSync(join(dir, 'nested'))).toEqual(['settings.json'])
  })

  it('keeps an unreadable file aside, loads defaults and says so', () => {
    const path = join(dir, 'settings.json')
    writeFileSync(path, '{"theme": "dark",')
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new FileSettingsStore(path, logger)
    expect(store.read()).toEqual(DEFAULT_SETTINGS)
    expect(store.recoveryNote).toMatch(/not valid JSON/)
    expect(store.stored).toBe(false)
    expect(logger.warn).toHaveBeenCalledOnce()
    const kept = readdirSync(dir).find((name) => name.startsWith('settings.json.invalid-'))
    expect(kept).toBeDefined()
    expect(readFileSync(join(dir, kept as string), 'utf8')).toBe('{"theme": "dark",')
  })

  it('never repeats what the file held in its note or the log', () => {
    const path = join(dir, 'settings.json')
    writeFileSync(path, '{"theme": dark-and-private-words}')
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new FileSettingsStore(path, logger)
    expect(store.recoveryNote).toMatch(/not valid JSON/)
    expect(JSON.stringify([store.recoveryNote, logger.warn.mock.calls])).not.toMatch(/dark|private|words/)
    expect(statSync(join(dir, readdirSync(dir)[0] as string)).mode & 0o777).toBe(0o600)
  })

  it('fails in words when the file cannot be read at all', () => {
    mkdirSync(join(dir, 'settings.json'))
    expect(() => new FileSettingsStore(join(dir, 'settings.json'), silentLogger)).toThrow(
      /^The settings file .*settings\.json could not be read \(EISDIR\)$/,
    )
  })

  it('writes a file and folder only their owner can read', () => {
    const path = join(dir, 'private', 'settings.json')
    new FileSettingsStore(path, silentLogger).write({ ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700)
  })

  it('keeps a file with invalid values aside too', () => {
    const path = join(dir, 'settings.json')
    writeFileSync(path, JSON.stringify({ version: 1, rawRetentionDays: -3 }))
    const store = new FileSettingsStore(path, silentLogger)
    expect(store.recoveryNote).toMatch(/rawRetentionDays/)
    expect(store.stored).toBe(false)
    expect(readdirSync(dir).some((name) => name.startsWith('settings.json.invalid-'))).toBe(true)
  })
})
