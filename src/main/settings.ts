import Store from 'electron-store'
import type { Logger } from '../core/logger.ts'
import type { SettingsStore } from '../core/settings-store.ts'
import { migrateSettings, SettingsFileError, type Settings } from '../shared/settings.ts'

interface StoredShape {
  settings?: unknown
  [key: `invalid-${string}`]: unknown
}

/**
 * Desktop settings in electron-store (`settings.json` in userData). The stored value is run through the
 * same migration and schema as server mode; unusable settings are kept under an `invalid-<time>` key
 * and defaults used, so nothing is lost and the app still starts.
 */
export class ElectronSettingsStore implements SettingsStore {
  private readonly store: Store<StoredShape>
  private current: Settings
  recoveryNote: string | null = null

  constructor(logger: Logger, store?: Store<StoredShape>) {
    this.store = store ?? new Store<StoredShape>({ name: 'settings', clearInvalidConfig: false })
    const raw = this.store.get('settings')
    try {
      this.current = migrateSettings(raw)
    } catch (error) {
      const reason = error instanceof SettingsFileError ? error.message : String(error)
      const key = `invalid-${new Date().toISOString()}` as const
      this.store.set(key, raw)
      this.recoveryNote = `Saved settings could not be used (${reason}); they were kept under "${key}" and defaults were loaded`
      logger.warn(this.recoveryNote)
      this.current = migrateSettings(undefined)
    }
  }

  read(): Settings {
    return this.current
  }

  write(settings: Settings): void {
    this.store.set('settings', settings)
    this.current = settings
  }
}
