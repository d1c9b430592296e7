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

  it("gives a file written before the time zone setting this computer's time zone", () => {
    const before = { version: 1, theme: 'dark', rawRetentionDays: 7, rollupRetentionDays: 90, profiles: [] }
    expect(migrateSettings(before)).toMatchObject({ theme: 'dark', timeZone: 'local' })
    expect(migrateSettings({ ...before, timeZone: 'utc' }).timeZone).toBe('utc')
    expect(() => migrateSettings({ ...before, timeZone: 'Europe/Paris' })).toThrow(/timeZone/)
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

  it('switch the time zone between local and UTC only', () => {
    const patch = SettingsPatchSchema.parse({ timeZone: 'utc' })
    expect(applySettingsPatch(DEFAULT_SETTINGS, patch).timeZone).toBe('utc')
    expect(SettingsPatchSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false)
  })
})
