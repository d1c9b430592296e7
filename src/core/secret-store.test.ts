import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from './logger.ts'
import { FileSecretStore, MemorySecretStore } from './secret-store.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-secrets-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('FileSecretStore', () => {
  it('keeps secrets in a file only its owner can read', async () => {
    const path = join(dir, 'secrets.json')
    const store = new FileSecretStore(path)
    await store.set('prod', 's3cret')
    await store.set('demo', 'other')
    expect(await new FileSecretStore(path).get('prod')).toBe('s3cret')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await store.delete('prod')
    expect(await store.get('prod')).toBeUndefined()
    expect(await store.get('demo')).toBe('other')
  })

  it('tells whether a secret is saved, also for names an object already has', async () => {
    const store = new FileSecretStore(join(dir, 'secrets.json'))
    await store.set('prod', 's3cret')
    expect(await store.has('prod')).toBe(true)
    expect(await store.has('demo')).toBe(false)
    expect(await store.has('constructor')).toBe(false)
    await store.delete('prod')
    expect(await store.has('prod')).toBe(false)
  })

  it('keeps a damaged file aside (private), starts empty, and never repeats what was in it', async () => {
    const path = join(dir, 'secrets.json')
    const damaged = '{"profile:a":"hunter2-very-secret","profile:b":"sw0rdf1sh'
    writeFileSync(path, damaged, { mode: 0o644 })
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new FileSecretStore(path, logger)
    const kept = readdirSync(dir).find((name) => name.startsWith('secrets.json.invalid-')) as string
    expect(kept).toBeDefined()
    expect(readFileSync(join(dir, kept), 'utf8')).toBe(damaged)
    expect(statSync(join(dir, kept)).mode & 0o777).toBe(0o600)
    expect(store.recoveryNote).toMatch(/^The secret file .*secrets\.json could not be used \(not valid JSON/)
    expect(store.recoveryNote).toContain(kept)
    expect(logger.warn).toHaveBeenCalledOnce()
    const said = JSON.stringify([store.recoveryNote, logger.warn.mock.calls])
    for (const fragment of ['hunter', 'secret"', 'sw0rd', 'f1sh']) expect(said).not.toContain(fragment)
    expect(await store.get('profile:a')).toBeUndefined()
    await store.set('profile:a', 'fresh')
    expect(await new FileSecretStore(path).get('profile:a')).toBe('fresh')
  })

  it('keeps aside JSON that is not a map of secrets, rather than dropping entries on the next write', async () => {
    for (const text of ['["a"]', '{"profile:a": 12}', 'null']) {
      const path = join(dir, `secrets-${text.length}.json`)
      writeFileSync(path, text)
      const store = new FileSecretStore(path)
      expect(store.recoveryNote).toMatch(/not a map of connection ids to secrets/)
      expect(readdirSync(dir).some((name) => name.startsWith(`secrets-${text.length}.json.invalid-`))).toBe(true)
    }
  })

  it('fails in words, without the contents, when the file cannot be read at all', () => {
    const path = join(dir, 'secrets.json')
    mkdirSync(path)
    expect(() => new FileSecretStore(path)).toThrow(/^The secret file .*secrets\.json could not be read \(EISDIR\)/)
  })
})

describe('MemorySecretStore', () => {
  it('tells whether a secret is saved', async () => {
    const store = new MemorySecretStore()
    await store.set('prod', 's3cret')
    expect(await store.has('prod')).toBe(true)
    expect(await store.has('demo')).toBe(false)
    await store.delete('prod')
    expect(await store.has('prod')).toBe(false)
  })
})
