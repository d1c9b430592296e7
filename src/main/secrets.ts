import type { SafeStorage } from 'electron'
import type Store from 'electron-store'
import type { SecretStore } from '../core/secret-store.ts'
import type { SecretStorageInfo } from '../shared/app-info.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { openStore } from './store-file.ts'

type CipherMap = Record<string, string>

const BACKEND_NAMES: Record<string, string> = {
  gnome_libsecret: 'GNOME keyring (libsecret)',
  kwallet: 'KWallet',
  kwallet5: 'KWallet 5',
  kwallet6: 'KWallet 6',
}

/**
 * Secrets encrypted with Electron's safeStorage (the OS keychain) and kept as base64 ciphertext in
 * their own file. Where Linux offers no keychain, safeStorage falls back to a fixed key; the secrets
 * are then stored but `describe()` carries a warning the UI shows.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly store: Store<{ secrets: CipherMap }>

  private readonly safeStorage: SafeStorage
  private readonly platform: NodeJS.Platform
  readonly recoveryNote: string | null = null

  /** `store` is an electron-store, or the folder to open `secrets.json` in (userData). */
  constructor(
    safeStorage: SafeStorage,
    platform: NodeJS.Platform,
    store: Store<{ secrets: CipherMap }> | { dir: string },
    logger: Logger = silentLogger,
  ) {
    this.safeStorage = safeStorage
    this.platform = platform
    if (!('dir' in store)) {
      this.store = store
    } else {
      const opened = openStore<{ secrets: CipherMap }>(
        {
          dir: store.dir,
          name: 'secrets',
          defaults: { secrets: {} },
          describe: 'The secret file',
          consequence: 'the saved connections need their secrets entered again',
        },
        logger,
      )
      this.store = opened.store
      this.recoveryNote = opened.recoveryNote
    }
  }

  async get(id: string): Promise<string | undefined> {
    const cipher = this.store.get('secrets')[id]
    if (cipher === undefined) return undefined
    const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(cipher, 'base64'))
    if (shouldReEncrypt) await this.set(id, result)
    return result
  }

  async has(id: string): Promise<boolean> {
    return Object.hasOwn(this.store.get('secrets'), id)
  }

  async set(id: string, secret: string): Promise<void> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      throw new Error('The operating system offers no way to encrypt secrets right now')
    }
    const cipher = await this.safeStorage.encryptStringAsync(secret)
    this.store.set('secrets', { ...this.store.get('secrets'), [id]: cipher.toString('base64') })
  }

  async delete(id: string): Promise<void> {
    const { [id]: _removed, ...rest } = this.store.get('secrets')
    this.store.set('secrets', rest)
  }

  async describe(): Promise<SecretStorageInfo> {
    const available = await this.safeStorage.isAsyncEncryptionAvailable()
    if (this.platform === 'linux') {
      const backend = this.safeStorage.getSelectedStorageBackend()
      if (backend === 'basic_text' || backend === 'unknown' || !available) {
        return {
          backend: 'no OS keychain found',
          encrypted: false,
          warning:
            'No keychain (GNOME keyring or KWallet) is available, so app secrets are stored with a fixed key that anyone with access to this account can read. Install and unlock a keychain to protect them.',
        }
      }
      return { backend: BACKEND_NAMES[backend] ?? backend, encrypted: true, warning: null }
    }
    if (!available) {
      return {
        backend: 'unavailable',
        encrypted: false,
        warning: 'The OS refused to encrypt secrets; saving connections is disabled until it is available.',
      }
    }
    return { backend: this.platform === 'darwin' ? 'macOS Keychain' : 'Windows DPAPI', encrypted: true, warning: null }
  }
}
