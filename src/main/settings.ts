import type Store from 'electron-store'
import { z } from 'zod'
import type { Logger } from '../core/logger.ts'
import type { EngineChoice, EngineChoiceStore } from '../core/remote/engine-host.ts'
import type { SettingsStore } from '../core/settings-store.ts'
import { FingerprintSchema } from '../shared/engine-choice.ts'
import { openStore } from './store-file.ts'
import { migrateSettings, SettingsFileError, type Settings } from '../shared/settings.ts'

// A type, not an interface, so it has the index signature electron-store's type asks for.
type StoredShape = {
  settings?: unknown
  engine?: unknown
  [key: `invalid-${string}`]: unknown
}

const EngineChoiceSchema = z.object({
  shown: z.enum(['local', 'remote']),
  server: z.object({ url: z.string().min(1).max(2000), fingerprint: FingerprintSchema.nullable() }).nullable(),
})

const LOCAL_ENGINE: EngineChoice = { shown: 'local', server: null }

/**
 * Which engine the desktop shows, kept beside the settings in `settings.json` (the shell's choice, not
 * the engine's settings: those belong to whichever engine is shown). The token is not here: it is a
 * secret, kept by safeStorage. An unreadable choice is kept aside and this computer's engine shown.
 */
class ElectronEngineChoiceStore implements EngineChoiceStore {
  private readonly store: Store<StoredShape>
  private current: EngineChoice

  constructor(store: Store<StoredShape>, logger: Logger) {
    this.store = store
    const raw = store.get('engine')
    const parsed = raw === undefined ? null : EngineChoiceSchema.safeParse(raw)
    if (parsed && !parsed.success) {
      const key = `invalid-engine-${new Date().toISOString()}` as const
      store.set(key, raw)
      logger.warn(
        `The saved engine choice could not be used; it was kept under "${key}" and this computer's engine is shown`,
      )
    }
    this.current = parsed?.success ? parsed.data : LOCAL_ENGINE
  }

  read(): EngineChoice {
    return this.current
  }

  write(choice: EngineChoice): void {
    this.store.set('engine', choice)
    this.current = choice
  }
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
  stored = false
  /** Which engine the desktop shows (this computer's or a shared server), in the same file. */
  readonly engineChoice: EngineChoiceStore

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
      this.stored = raw !== undefined && this.recoveryNote === null
    } catch (error) {
      const reason = error instanceof SettingsFileError ? error.message : String(error)
      const key = `invalid-${new Date().toISOString()}` as const
      this.store.set(key, raw)
      this.recoveryNote = `Saved settings could not be used (${reason}); they were kept under "${key}" and defaults were loaded`
      logger.warn(this.recoveryNote)
      this.current = migrateSettings(undefined)
    }
    this.engineChoice = new ElectronEngineChoiceStore(this.store, logger)
  }

  read(): Settings {
    return this.current
  }

  write(settings: Settings): void {
    this.store.set('settings', settings)
    this.current = settings
  }
}
