import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ensurePrivateFile,
  jsonSyntaxProblem,
  keepAside,
  prepareDataDir,
  removeFilesOfDeletedConnections,
  removeWithCopies,
  writeFileAtomic,
} from './data-files.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'headcount-data-files-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const mode = (path: string) => statSync(path).mode & 0o777

function parseError(text: string): unknown {
  try {
    JSON.parse(text)
  } catch (error) {
    return error
  }
  throw new Error('parsed')
}

describe('the data folder', () => {
  it('is created 0700, whatever the umask', () => {
    const previous = process.umask(0)
    try {
      prepareDataDir(join(root, 'data'))
    } finally {
      process.umask(previous)
    }
    expect(mode(join(root, 'data'))).toBe(0o700)
  })

  it("tightens Headcount's own files and folders at start, and leaves the rest (and links) alone", () => {
    const data = join(root, 'data')
    mkdirSync(join(data, 'history'), { recursive: true, mode: 0o755 })
    mkdirSync(join(data, 'exports'), { mode: 0o777 })
    mkdirSync(join(data, 'Cache'), { mode: 0o755 })
    chmodSync(data, 0o755)
    const files = [
      'settings.json',
      'secrets.json',
      'secrets.json.invalid-2026-01-01T00-00-00-000Z',
      'history/p1.sqlite',
      'history/p1.sqlite-wal',
      'history/p1.sqlite-shm',
      'exports/headcount-sessions.csv',
    ]
    for (const file of files) writeFileSync(join(data, file), 'x', { mode: 0o644 })
    writeFileSync(join(data, 'Cache', 'chromium-owned'), 'x', { mode: 0o644 })
    const outside = join(root, 'outside.txt')
    writeFileSync(outside, 'x', { mode: 0o644 })
    symlinkSync(outside, join(data, 'exports', 'link.csv'))

    prepareDataDir(data)

    expect(mode(data)).toBe(0o700)
    for (const folder of ['history', 'exports']) expect(mode(join(data, folder))).toBe(0o700)
    for (const file of files) expect(mode(join(data, file)), file).toBe(0o600)
    expect(mode(join(data, 'Cache'))).toBe(0o755)
    expect(mode(join(data, 'Cache', 'chromium-owned'))).toBe(0o644)
    expect(mode(outside)).toBe(0o644)
  })

  it('fails with the path when the folder cannot be made', () => {
    writeFileSync(join(root, 'file'), 'x')
    expect(() => prepareDataDir(join(root, 'file', 'data'))).toThrow(/ENOTDIR.*file\/data/)
  })
})

describe('private files', () => {
  it('are written 0600 even over a temporary file a crash left behind', () => {
    const path = join(root, 'sub', 'settings.json')
    mkdirSync(join(root, 'sub'))
    writeFileSync(`${path}.${process.pid}.tmp`, 'old', { mode: 0o666 })
    writeFileAtomic(path, '{}')
    expect(mode(path)).toBe(0o600)
    expect(readdirSync(join(root, 'sub'))).toEqual(['settings.json'])
  })

  it('are created or tightened by ensurePrivateFile, keeping what they hold', () => {
    const path = join(root, 'history.sqlite')
    writeFileSync(path, 'data', { mode: 0o644 })
    ensurePrivateFile(path)
    expect(mode(path)).toBe(0o600)
    expect(statSync(path).size).toBe(4)
    ensurePrivateFile(join(root, 'new.sqlite'))
    expect(mode(join(root, 'new.sqlite'))).toBe(0o600)
  })

  it('are kept aside under a dated name, still private', () => {
    const path = join(root, 'secrets.json')
    writeFileSync(path, 'broken', { mode: 0o644 })
    const kept = keepAside(path, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))
    expect(kept).toBe(`${path}.invalid-2026-01-02T03-04-05-006Z`)
    expect(mode(kept)).toBe(0o600)
  })
})

describe('jsonSyntaxProblem', () => {
  it('says where JSON broke without quoting any of it', () => {
    for (const text of ['{"secret": hunter2}', '{"secret": "hunter2"', '{"secret": "hunter2"} hunter2', 'hunter2']) {
      const problem = jsonSyntaxProblem(parseError(text))
      expect(problem).toMatch(/^not valid JSON/)
      expect(problem).not.toMatch(/hunter|secret/)
    }
    expect(jsonSyntaxProblem(parseError('{"a":'))).toBe('not valid JSON (it ends too early)')
    expect(jsonSyntaxProblem(parseError('{"a": 1'))).toBe('not valid JSON (at line 1 column 8)')
  })

  it('removes a file with the copies set aside or half-written beside it, and nothing else', () => {
    const dir = join(root, 'broadcast')
    mkdirSync(dir)
    const path = join(dir, 'p1.spend.json')
    for (const name of ['p1.spend.json', 'p1.spend.json.invalid-2026-03-04T00-00-00-000Z', 'p1.spend.json.4242.tmp']) {
      writeFileSync(join(dir, name), '{}')
    }
    // Another profile's files, and one whose name only starts the same.
    for (const name of ['p2.spend.json', 'p1.spend.jsonl', 'p1-other.spend.json']) writeFileSync(join(dir, name), '{}')
    removeWithCopies(path)
    expect(readdirSync(dir).sort()).toEqual(['p1-other.spend.json', 'p1.spend.jsonl', 'p2.spend.json'])
    // Nothing there (or no folder at all): nothing to do.
    expect(() => removeWithCopies(path)).not.toThrow()
    expect(() => removeWithCopies(join(root, 'missing', 'p1.json'))).not.toThrow()
  })

  it("removes only the per-connection files, and their copies, of connections that don't exist", () => {
    mkdirSync(join(root, 'friends'))
    mkdirSync(join(root, 'broadcast'))
    mkdirSync(join(root, 'history'))
    const files = [
      'friends/live.json',
      'friends/live.json.invalid-2026-03-04T00-00-00-000Z',
      'friends/gone.json',
      'friends/gone.json.invalid-2026-03-04T00-00-00-000Z',
      'friends/gone.json.77.tmp',
      'friends/gone.json.old',
      'friends/.json',
      'friends/README',
      'broadcast/live.spend.json',
      'broadcast/live.spend.json.12.tmp',
      'broadcast/gone.spend.json',
      'broadcast/gone.spend.json.12.tmp',
      'broadcast/gone.json',
      'history/gone.sqlite',
      'history/gone.sqlite-wal',
    ]
    for (const file of files) writeFileSync(join(root, file), '{}')
    // A folder named like a ledger is not a file to remove.
    mkdirSync(join(root, 'broadcast', 'other.spend.json'))
    const removed = removeFilesOfDeletedConnections(root, new Set(['live']))
    const gone = [
      'friends/gone.json',
      'friends/gone.json.invalid-2026-03-04T00-00-00-000Z',
      'friends/gone.json.77.tmp',
      'broadcast/gone.spend.json',
      'broadcast/gone.spend.json.12.tmp',
    ]
    expect(removed.sort()).toEqual([...gone].sort())
    for (const file of files) expect(existsSync(join(root, file)), file).toBe(!gone.includes(file))
    expect(existsSync(join(root, 'broadcast', 'other.spend.json'))).toBe(true)
    // No such folders: nothing to do.
    expect(removeFilesOfDeletedConnections(join(root, 'history'), new Set())).toEqual([])
  })
})
