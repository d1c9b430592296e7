import { readFileSync } from 'node:fs'
import type { SecretStorageInfo } from '../shared/app-info.ts'
import { jsonSyntaxProblem, keepAside, writeFileAtomic } from './data-files.ts'
import { silentLogger, type Logger } from './logger.ts'

/**
 * Keeps connection secrets out of settings. The desktop app encrypts them with the OS keychain
 * (safeStorage); server mode keeps them in a file only its user can read. Secrets never leave the
 * engine: no contract method returns one.
 */
export interface SecretStore {
  get(id: string): Promise<string | undefined>
  /** Whether a secret is saved, without decrypting it: listing connections must not unlock every secret. */
  has(id: string): Promise<boolean>
  set(id: string, secret: string): Promise<void>
  delete(id: string): Promise<void>
  describe(): Promise<SecretStorageInfo>
  /** Set when the stored secrets could not be used and the store started empty instead. */
  readonly recoveryNote?: string | null
}

/** Why a file could not be read, by its error code only: never the message, which may quote the file. */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  return code ? `(${code})` : '(unknown error)'
}

/**
 * Server mode: `secrets.json`, mode 0600, in the data folder. A file that can't be read as secrets is
 * kept aside (`secrets.json.invalid-<time>`, still 0600) and the store starts empty: the app starts,
 * the connections ask for their secrets again, and nothing in the file is lost or ever repeated in a
 * message (a JSON error would otherwise quote part of a secret).
 */
export class FileSecretStore implements SecretStore {
  private readonly path: string
  private readonly logger: Logger
  recoveryNote: string | null = null

  constructor(path: string, logger: Logger = silentLogger) {
    this.path = path
    this.logger = logger
    // Read once now, so a damaged file is found (and reported) at start rather than at first use.
    this.readAll()
  }

  private readAll(): Record<string, string> {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new Error(`The secret file ${this.path} could not be read ${readProblem(error)}`)
    }
    let problem: string
    try {
      const parsed: unknown = JSON.parse(text)
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((value) => typeof value === 'string')
      ) {
        return parsed as Record<string, string>
      }
      problem = 'not a map of connection ids to secrets'
    } catch (error) {
      problem = jsonSyntaxProblem(error)
    }
    const keptAs = keepAside(this.path)
    this.recoveryNote = `The secret file ${this.path} could not be used (${problem}); it was kept as ${keptAs} and the saved connections need their secrets entered again`
    this.logger.warn(this.recoveryNote)
    return {}
  }

  private writeAll(secrets: Record<string, string>): void {
    writeFileAtomic(this.path, `${JSON.stringify(secrets)}\n`)
  }

  async get(id: string): Promise<string | undefined> {
    return this.readAll()[id]
  }

  async has(id: string): Promise<boolean> {
    return Object.hasOwn(this.readAll(), id)
  }

  async set(id: string, secret: string): Promise<void> {
    this.writeAll({ ...this.readAll(), [id]: secret })
  }

  async delete(id: string): Promise<void> {
    const { [id]: _removed, ...rest } = this.readAll()
    this.writeAll(rest)
  }

  async describe(): Promise<SecretStorageInfo> {
    return {
      backend: `file readable only by this user (${this.path})`,
      encrypted: false,
      warning: null,
    }
  }
}

/** For tests and one-shot CLI runs: nothing touches the disk. */
export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>()
  async get(id: string): Promise<string | undefined> {
    return this.secrets.get(id)
  }
  async has(id: string): Promise<boolean> {
    return this.secrets.has(id)
  }
  async set(id: string, secret: string): Promise<void> {
    this.secrets.set(id, secret)
  }
  async delete(id: string): Promise<void> {
    this.secrets.delete(id)
  }
  async describe(): Promise<SecretStorageInfo> {
    return { backend: 'memory (not kept after exit)', encrypted: false, warning: null }
  }
}
