import { readFileSync } from 'node:fs'
import type { SecretStorageInfo } from '../shared/app-info.ts'
import { writeFileAtomic } from './settings-store.ts'

/**
 * Keeps connection secrets out of settings. The desktop app encrypts them with the OS keychain
 * (safeStorage); server mode keeps them in a file only its user can read. Secrets never leave the
 * engine: no contract method returns one.
 */
export interface SecretStore {
  get(id: string): Promise<string | undefined>
  set(id: string, secret: string): Promise<void>
  delete(id: string): Promise<void>
  describe(): Promise<SecretStorageInfo>
}

/** Server mode: `secrets.json`, mode 0600, in the data folder. */
export class FileSecretStore implements SecretStore {
  private readonly path: string

  constructor(path: string) {
    this.path = path
  }

  private readAll(): Record<string, string> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'))
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${this.path} is not a JSON object`)
      }
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      )
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new Error(`Secret file ${this.path} is unreadable: ${(error as Error).message}`)
    }
  }

  private writeAll(secrets: Record<string, string>): void {
    writeFileAtomic(this.path, `${JSON.stringify(secrets)}\n`, 0o600)
  }

  async get(id: string): Promise<string | undefined> {
    return this.readAll()[id]
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
