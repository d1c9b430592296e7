import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileSecretStore } from './secret-store.ts'

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

  it('refuses to read a damaged file rather than overwrite it', async () => {
    const path = join(dir, 'secrets.json')
    writeFileSync(path, 'garbage')
    const store = new FileSecretStore(path)
    await expect(store.get('prod')).rejects.toThrow(/unreadable/)
    await expect(store.set('prod', 'x')).rejects.toThrow(/unreadable/)
  })
})
