import type Store from 'electron-store'
import type { Logger } from '../core/logger.ts'
import type { SettingsStore } from '../core/settings-store.ts'
import { openStore } from './store-file.ts'
import { migrateSettings, SettingsFileError, type Settings } from '../shared/settings.ts'

// A type, not an interface, so it has the index signature electron-store's type asks for.
type StoredShape = {
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

  /** `store` is an electron-store, or the folder to open `settings.json` in (userData). */
  constructor(logger: Logger, store: Store<StoredShape> | { dir: string }) {
    if (!('dir' in store)) {
      this.store = store
    } else {
      const opened = openStore<StoredShape>(
        { dir: store.dir, name: 'settings', describe: 'The settings file', consequence: 'defaults were loaded' },
        logger,
      )
      this.store = opened.store
      this.recoveryNote = opened.recoveryNote
    }
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
