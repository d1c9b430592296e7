import { z } from 'zod'
import { describeIssues } from './issues.ts'
import { ProfileSchema } from './profiles.ts'

/** Bumped whenever the stored shape changes; `migrateSettings` brings older files forward. */
export const SETTINGS_VERSION = 1

export const ThemeSchema = z.enum(['system', 'light', 'dark'])
export type Theme = z.infer<typeof ThemeSchema>

/**
 * The time zone every time on screen is read and written in: this computer's own, or UTC. Files
 * (CSV exports) are always UTC, whatever is chosen here.
 */
export const TimeZoneSettingSchema = z.enum(['local', 'utc'])
export type TimeZoneSetting = z.infer<typeof TimeZoneSettingSchema>

export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  theme: ThemeSchema,
  timeZone: TimeZoneSettingSchema,
  /** Raw occupancy samples are kept this many days, then only roll-ups remain. */
  rawRetentionDays: z.int().min(1).max(365),
  /** One-minute roll-ups are kept this many days. */
  rollupRetentionDays: z.int().min(1).max(3650),
  /** Saved connections; changed only through the profile methods, which also keep their secrets. */
  profiles: z.array(ProfileSchema),
  /** The profile to connect to at start, or null to stay disconnected. */
  activeProfileId: z.string().nullable(),
})
export type Settings = z.infer<typeof SettingsSchema>

export const DEFAULT_SETTINGS: Settings = {
  version: SETTINGS_VERSION,
  theme: 'system',
  timeZone: 'local',
  rawRetentionDays: 7,
  rollupRetentionDays: 90,
  profiles: [],
  activeProfileId: null,
}

/** A partial update of the operator's preferences; profiles and the version have their own owners. */
export const SettingsPatchSchema = SettingsSchema.pick({
  theme: true,
  timeZone: true,
  rawRetentionDays: true,
  rollupRetentionDays: true,
})
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'Nothing to update' })
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>

export class SettingsFileError extends Error {
  override name = 'SettingsFileError'
}

/**
 * Turns whatever was read from disk into current settings. Older versions are upgraded step by step,
 * unknown keys dropped, missing keys filled from defaults; anything unusable throws so the caller can
 * keep the file aside instead of silently overwriting it.
 */
export function migrateSettings(raw: unknown): Settings {
  if (raw === undefined || raw === null) return { ...DEFAULT_SETTINGS }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingsFileError('Settings must be a JSON object')
  }
  const stored = raw as Record<string, unknown>
  const version = stored.version ?? 0
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new SettingsFileError(`Settings have an invalid version (${typeof version}, not a whole number)`)
  }
  if (version > SETTINGS_VERSION) {
    throw new SettingsFileError(
      `Settings were written by a newer Headcount (version ${version}, this one reads up to ${SETTINGS_VERSION})`,
    )
  }
  // Each future shape change adds a step here: `if (version < 2) { …rename or convert… }`.
  // Version 0 is a file without a version field: same shape as 1, so only defaults are filled. Keys
  // added since (timeZone) have defaults, so a file written before them is filled the same way.
  const candidate = { ...DEFAULT_SETTINGS }
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    if (key !== 'version' && stored[key] !== undefined) (candidate as Record<string, unknown>)[key] = stored[key]
  }
  const parsed = SettingsSchema.safeParse(candidate)
  if (!parsed.success) {
    throw new SettingsFileError(`Settings are invalid: ${describeIssues(parsed.error)}`)
  }
  return parsed.data
}

export function applySettingsPatch(current: Settings, patch: Partial<Omit<Settings, 'version'>>): Settings {
  return SettingsSchema.parse({ ...current, ...patch, version: SETTINGS_VERSION })
}
