import { describe, expect, it } from 'vitest'
import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  migrateSettings,
  SETTINGS_VERSION,
  SettingsFileError,
  SettingsPatchSchema,
} from './settings.ts'
import { DEFAULT_SYNC_OPTIONS } from './sync.ts'

describe('migrateSettings', () => {
  it('gives defaults when nothing was stored', () => {
    expect(migrateSettings(undefined)).toEqual(DEFAULT_SETTINGS)
    expect(migrateSettings(null)).toEqual(DEFAULT_SETTINGS)
  })

  it('fills missing keys from defaults and drops unknown ones', () => {
    const migrated = migrateSettings({ version: SETTINGS_VERSION, theme: 'dark', stray: 1 })
    expect(migrated).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(migrated).not.toHaveProperty('stray')
  })

  it('reads saved numeric app ids as before, and app ids that are names', () => {
    const profile = (id: string, appId: string) => ({
      id,
      name: id,
      connection: { appId, key: 'key', target: { kind: 'host', host: '127.0.0.1', port: 6001, useTLS: false } },
      convention: { kind: 'template', template: 'private-{room}-{user}' },
      sync: DEFAULT_SYNC_OPTIONS,
    })
    const migrated = migrateSettings({
      version: SETTINGS_VERSION,
      profiles: [profile('pusher', '1234567'), profile('soketi', 'app-1')],
    })
    expect(migrated.profiles.map((saved) => saved.connection.appId)).toEqual(['1234567', 'app-1'])
  })

  it('reads an unversioned file as the first version', () => {
    expect(migrateSettings({ theme: 'light', rawRetentionDays: 3 })).toMatchObject({
      version: SETTINGS_VERSION,
      theme: 'light',
      rawRetentionDays: 3,
    })
  })

  it('refuses values outside the schema with the field named', () => {
    expect(() => migrateSettings({ version: 1, rawRetentionDays: 0 })).toThrow(/rawRetentionDays/)
    expect(() => migrateSettings({ version: 1, theme: 'purple' })).toThrow(SettingsFileError)
  })

  it('refuses files that are not objects or come from a newer Headcount', () => {
    expect(() => migrateSettings([])).toThrow(/JSON object/)
    expect(() => migrateSettings('dark')).toThrow(/JSON object/)
    expect(() => migrateSettings({ version: SETTINGS_VERSION + 1 })).toThrow(/newer Headcount/)
    expect(() => migrateSettings({ version: 'one' })).toThrow(/invalid version/)
  })
})

describe('settings patches', () => {
  it('accept a partial change and keep the version', () => {
    const patch = SettingsPatchSchema.parse({ theme: 'dark' })
    expect(applySettingsPatch(DEFAULT_SETTINGS, patch)).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' })
  })

  it('refuse empty, unknown and version-changing patches', () => {
    expect(SettingsPatchSchema.safeParse({}).success).toBe(false)
    expect(SettingsPatchSchema.safeParse({ colour: 'red' }).success).toBe(false)
    expect(SettingsPatchSchema.safeParse({ version: 2 }).success).toBe(false)
    expect(SettingsPatchSchema.safeParse({ rawRetentionDays: 1.5 }).success).toBe(false)
  })
})
