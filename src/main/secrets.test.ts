import type { SafeStorage } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { MemoryStore } from './test-doubles.ts'

vi.mock('electron-store', () => ({ default: MemoryStore }))
const { SafeStorageSecretStore } = await import('./secrets.ts')

/** Reversible but not plain: enough to show the store never keeps the secret as given. */
function fakeSafeStorage(
  backend: ReturnType<SafeStorage['getSelectedStorageBackend']> = 'gnome_libsecret',
  available = true,
) {
  return {
    isAsyncEncryptionAvailable: vi.fn(async () => available),
    getSelectedStorageBackend: vi.fn(() => backend),
    encryptStringAsync: vi.fn(async (plain: string) => Buffer.from([...plain].reverse().join(''), 'utf8')),
    decryptStringAsync: vi.fn(async (cipher: Buffer) => ({
      result: [...cipher.toString('utf8')].reverse().join(''),
      shouldReEncrypt: false,
    })),
  } as unknown as SafeStorage
}

describe('SafeStorageSecretStore', () => {
  it('stores only ciphertext and reads the secret back', async () => {
    const backing = new MemoryStore<{ secrets: Record<string, string> }>({ defaults: { secrets: {} } })
    const store = new SafeStorageSecretStore(fakeSafeStorage(), 'linux', backing as never)
    await store.set('prod', 'top-secret')
    expect(JSON.stringify(backing.data)).not.toContain('top-secret')
    expect(await store.get('prod')).toBe('top-secret')
    await store.delete('prod')
    expect(await store.get('prod')).toBeUndefined()
  })

  it('tells whether a secret is saved without decrypting it', async () => {
    const safe = fakeSafeStorage()
    const store = new SafeStorageSecretStore(safe, 'linux', new MemoryStore({ defaults: { secrets: {} } }) as never)
    await store.set('prod', 'top-secret')
    expect(await store.has('prod')).toBe(true)
    expect(await store.has('demo')).toBe(false)
    expect(await store.has('constructor')).toBe(false)
    expect(safe.decryptStringAsync).not.toHaveBeenCalled()
  })

  it('warns when Linux has no keychain and safeStorage falls back to plain text', async () => {
    const store = new SafeStorageSecretStore(
      fakeSafeStorage('basic_text'),
      'linux',
      new MemoryStore({ defaults: { secrets: {} } }) as never,
    )
    const info = await store.describe()
    expect(info.encrypted).toBe(false)
    expect(info.warning).toMatch(/No keychain/)
  })

  it('names the keychain in use when there is one', async () => {
    const store = new SafeStorageSecretStore(
      fakeSafeStorage('kwallet6'),
      'linux',
      new MemoryStore({ defaults: { secrets: {} } }) as never,
    )
    expect(await store.describe()).toEqual({ backend: 'KWallet 6', encrypted: true, warning: null })
  })

  it('refuses to save when the OS cannot encrypt', async () => {
    const store = new SafeStorageSecretStore(
      fakeSafeStorage('gnome_libsecret', false),
      'darwin',
      new MemoryStore({ defaults: { secrets: {} } }) as never,
    )
    await expect(store.set('prod', 'x')).rejects.toThrow(/no way to encrypt/)
    expect((await store.describe()).warning).toMatch(/refused to encrypt/)
  })

  it('re-encrypts when the OS asks for it', async () => {
    const safe = fakeSafeStorage()
    const backing = new MemoryStore<{ secrets: Record<string, string> }>({ defaults: { secrets: {} } })
    const store = new SafeStorageSecretStore(safe, 'linux', backing as never)
    await store.set('prod', 'abc')
    vi.mocked(safe.decryptStringAsync).mockResolvedValueOnce({ result: 'abc', shouldReEncrypt: true })
    expect(await store.get('prod')).toBe('abc')
    expect(safe.encryptStringAsync).toHaveBeenCalledTimes(2)
  })
})
