import Store, { type Options } from 'electron-store'
import { join } from 'node:path'
import { keepAside, PRIVATE_FILE_MODE } from '../core/data-files.ts'
import type { Logger } from '../core/logger.ts'

export interface OpenedStore<T extends Record<string, unknown>> {
  store: Store<T>
  /** Set when the file could not be read and was kept aside; the store then started from its defaults. */
  recoveryNote: string | null
}

/**
 * One of the desktop's electron-store files (`<name>.json` in `dir`), readable only by its owner. A file
 * that is not JSON is never cleared (electron-store's `clearInvalidConfig` stays off) but renamed to
 * `<name>.json.invalid-<time>`, and the app starts with the defaults, saying so without repeating what
 * the file held.
 */
export function openStore<T extends Record<string, unknown>>(
  options: { dir: string; name: string; defaults?: Options<T>['defaults']; describe: string; consequence: string },
  logger: Logger,
): OpenedStore<T> {
  const open = () =>
    new Store<T>({
      name: options.name,
      cwd: options.dir,
      defaults: options.defaults,
      clearInvalidConfig: false,
      configFileMode: PRIVATE_FILE_MODE,
    })
  try {
    return { store: open(), recoveryNote: null }
  } catch (error) {
    // electron-store reports a file that isn't JSON as a SyntaxError naming the file (not quoting it).
    if ((error as Error).name !== 'SyntaxError') throw error
    const path = join(options.dir, `${options.name}.json`)
    const keptAs = keepAside(path)
    const recoveryNote = `${options.describe} ${path} could not be used (not valid JSON); it was kept as ${keptAs} and ${options.consequence}`
    logger.warn(recoveryNote)
    return { store: open(), recoveryNote }
  }
}
