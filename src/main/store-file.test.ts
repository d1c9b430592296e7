import Conf from 'conf'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../core/logger.ts'

// electron-store is `conf` with Electron's folder as the default `cwd`; with `cwd` given, `conf` itself
// reads and writes the same file, so the real file handling is what is tested here, without Electron.
vi.mock('electron-store', () => ({
  default: class extends Conf {
    constructor({ name, ...options }: { name: string; cwd: string }) {
      super({ ...options, configName: name })
    }
  },
}))
const { openStore } = await import('./store-file.ts')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-store-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const options = (name: string) => ({ dir, name, describe: 'The file', consequence: 'defaults were used' })

describe('openStore', () => {
  it('writes a file only its owner can read', () => {
    const { store, recoveryNote } = openStore<{ secrets: Record<string, string> }>(options('secrets'), silentLogger)
    store.set('secrets', { a: 'cipher' })
    expect(recoveryNote).toBeNull()
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600)
  })

  it('keeps a file that is not JSON aside, starts from the defaults, and never repeats the contents', () => {
    const damaged = '{"secrets": {"profile:a": "c2VjcmV0LWNpcGhlcnRleHQ='
    writeFileSync(join(dir, 'secrets.json'), damaged)
    const logger = { ...silentLogger, warn: vi.fn() }
    const { store, recoveryNote } = openStore<{ secrets: Record<string, string> }>(
      { ...options('secrets'), defaults: { secrets: {} } },
      logger,
    )
    expect(store.get('secrets')).toEqual({})
    const kept = readdirSync(dir).find((name) => name.startsWith('secrets.json.invalid-')) as string
    expect(readFileSync(join(dir, kept), 'utf8')).toBe(damaged)
    expect(statSync(join(dir, kept)).mode & 0o777).toBe(0o600)
    expect(recoveryNote).toMatch(/^The file .*secrets\.json could not be used \(not valid JSON\); it was kept as /)
    expect(logger.warn).toHaveBeenCalledWith(recoveryNote)
    expect(recoveryNote).not.toContain('c2Vj')
  })
})

describe('the desktop secret store over a damaged secrets.json', () => {
  it('starts, with the note the console shows, and an empty store', async () => {
    const { SafeStorageSecretStore } = await import('./secrets.ts')
    writeFileSync(join(dir, 'secrets.json'), '{"secrets": {"profile:a": "c2VjcmV0')
    const safeStorage = {
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
    } as never
    const store = new SafeStorageSecretStore(safeStorage, 'linux', { dir }, silentLogger)
    expect(store.recoveryNote).toMatch(
      /^The secret file .* was kept as .*the saved connections need their secrets entered again$/,
    )
    expect(await store.get('profile:a')).toBeUndefined()
  })
})
