import { readFileSync } from 'node:fs'
import { migrateSettings, SettingsFileError, type Settings } from '../shared/settings.ts'
import { jsonSyntaxProblem, keepAside, writeFileAtomic } from './data-files.ts'
import type { Logger } from './logger.ts'

/** Where settings live: electron-store in the desktop app, a JSON file in server mode. */
export interface SettingsStore {
  read(): Settings
  write(settings: Settings): void
  /** Set when the stored settings could not be used and defaults were loaded instead. */
  readonly recoveryNote: string | null
  /**
   * True when the settings in use were read from what was stored, not defaults for a missing or
   * unusable file: only then do they say for sure which connections exist. Absent: not known.
   */
  readonly stored?: boolean
}

/**
 * Settings for server mode and the CLI: `settings.json` in the data folder. A file that can't be read
 * as settings is kept beside the original name (`.invalid-<time>`) and defaults are used, so nothing
 * the operator wrote is lost and the app still starts.
 */
export class FileSettingsStore implements SettingsStore {
  private current: Settings
  recoveryNote: string | null = null
  stored = false

  private readonly path: string
  private readonly logger: Logger

  constructor(path: string, logger: Logger) {
    this.path = path
    this.logger = logger
    this.current = this.load()
  }

  private load(): Settings {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return migrateSettings(undefined)
      throw new Error(`The settings file ${this.path} could not be read (${code ?? 'unknown error'})`)
    }
    try {
      const settings = migrateSettings(JSON.parse(text))
      this.stored = true
      return settings
    } catch (error) {
      // Only the position of a JSON fault: V8's message quotes the text around it.
      const reason = error instanceof SettingsFileError ? error.message : jsonSyntaxProblem(error)
      const keptAs = keepAside(this.path)
      this.recoveryNote = `Settings file ${this.path} could not be used (${reason}); it was kept as ${keptAs} and defaults were loaded`
      this.logger.warn(this.recoveryNote)
      return migrateSettings(undefined)
    }
  }

  read(): Settings {
    return this.current
  }

  write(settings: Settings): void {
    writeFileAtomic(this.path, `${JSON.stringify(settings, null, 2)}\n`)
    this.current = settings
  }
}
