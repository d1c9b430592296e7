import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrateSettings, SettingsFileError, type Settings } from '../shared/settings.ts'
import type { Logger } from './logger.ts'

/** Where settings live: electron-store in the desktop app, a JSON file in server mode. */
export interface SettingsStore {
  read(): Settings
  write(settings: Settings): void
  /** Set when the stored settings could not be used and defaults were loaded instead. */
  readonly recoveryNote: string | null
}

/** Writes to a temporary file and renames it over the old one, so a crash never leaves half a file. */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, data, { mode })
  renameSync(temporary, path)
}

/**
 * Settings for server mode and the CLI: `settings.json` in the data folder. A file that can't be read
 * as settings is kept beside the original name (`.invalid-<time>`) and defaults are used, so nothing
 * the operator wrote is lost and the app still starts.
 */
export class FileSettingsStore implements SettingsStore {
  private current: Settings
  recoveryNote: string | null = null

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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return migrateSettings(undefined)
      throw error
    }
    try {
      return migrateSettings(JSON.parse(text))
    } catch (error) {
      const reason = error instanceof SettingsFileError ? error.message : `not valid JSON (${(error as Error).message})`
      const keptAs = `${this.path}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`
      renameSync(this.path, keptAs)
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
