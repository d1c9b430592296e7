import type { SafeStorage } from 'electron'
import Store from 'electron-store'
import type { SecretStore } from '../core/secret-store.ts'
import type { SecretStorageInfo } from '../shared/app-info.ts'

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

  constructor(
    safeStorage: SafeStorage,
    platform: NodeJS.Platform = process.platform,
    store?: Store<{ secrets: CipherMap }>,
  ) {
    this.safeStorage = safeStorage
    this.platform = platform
    this.store = store ?? new Store<{ secrets: CipherMap }>({ name: 'secrets', defaults: { secrets: {} } })
  }

  async get(id: string): Promise<string | undefined> {
    const cipher = this.store.get('secrets')[id]
    if (cipher === undefined) return undefined
    const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(cipher, 'base64'))
    if (shouldReEncrypt) await this.set(id, result)
    return result
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
