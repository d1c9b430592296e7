// The data folder holds app secrets, presence history and friend graphs: only its owner may read it.
// Every folder Headcount makes in it is 0700 and every file 0600, whatever the umask, and what an older
// version (or a hand edit) left more open is tightened at start.
import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** The folders and files of the data folder that are Headcount's (the desktop's folder holds Chromium's too). */
const OWN_FOLDERS = new Set(['history', 'friends', 'exports', 'broadcast'])
const OWN_FILES = /^(?:settings|secrets)\.json(?:$|\.)/

/** Creates a folder (and missing parents) readable only by its owner, and tightens it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  chmodSync(dir, PRIVATE_DIR_MODE)
}

/** Creates an empty file only its owner can read if there is none, and tightens it if there is. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  chmodSync(path, PRIVATE_FILE_MODE)
}

/** Writes to a temporary file and renames it over the old one, so a crash never leaves half a file. */
export function writeFileAtomic(path: string, data: string): void {
  ensurePrivateDir(dirname(path))
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, data, { mode: PRIVATE_FILE_MODE })
  // `mode` applies only when the file is created; a temporary file left by a crash keeps its own.
  chmodSync(temporary, PRIVATE_FILE_MODE)
  renameSync(temporary, path)
}

/** Renames a file that can't be used to `<name>.invalid-<time>` (private), so nothing in it is lost. */
export function keepAside(path: string, now: Date = new Date()): string {
  const keptAs = `${path}.invalid-${now.toISOString().replace(/[:.]/g, '-')}`
  renameSync(path, keptAs)
  chmodSync(keptAs, PRIVATE_FILE_MODE)
  return keptAs
}

/**
 * Removes a data file and every copy of it Headcount made beside it: `<name>.invalid-<time>` (set aside
 * by `keepAside`) and `<name>.<pid>.tmp` (left by a crash in `writeFileAtomic`). None there: nothing to do.
 */
export function removeWithCopies(path: string): void {
  const dir = dirname(path)
  const name = basename(path)
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  for (const entry of entries) {
    if (entry === name || entry.startsWith(`${name}.`)) rmSync(join(dir, entry), { force: true })
  }
}

/** The per-connection files: `<folder>/<connection id><suffix>`, with their copies beside them. */
const PER_CONNECTION_FILES = [
  { folder: 'friends', suffix: '.json' },
  { folder: 'broadcast', suffix: '.spend.json' },
] as const

/** A copy `keepAside` or `writeFileAtomic` leaves beside a file: `.invalid-<time>` or `.<pid>.tmp`. */
const COPY_SUFFIX = /^\.(?:invalid-[0-9A-Za-z-]+|\d+\.tmp)$/

/**
 * Removes the per-connection files (friend graph, spend ledger, and the copies of them set aside or
 * half-written) of connections that no longer exist: versions before deleting a connection removed
 * all of them left these behind. Only names of those shapes are touched; history never is. The caller
 * must know the connections for sure (settings read as stored). Returns the paths removed, relative
 * to the data folder.
 */
export function removeFilesOfDeletedConnections(dataDir: string, connectionIds: ReadonlySet<string>): string[] {
  const removed: string[] = []
  for (const { folder, suffix } of PER_CONNECTION_FILES) {
    let entries: string[]
    try {
      entries = readdirSync(join(dataDir, folder))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw error
    }
    for (const entry of entries) {
      const at = entry.indexOf(suffix)
      if (at <= 0) continue
      const rest = entry.slice(at + suffix.length)
      if (rest !== '' && !COPY_SUFFIX.test(rest)) continue
      if (connectionIds.has(entry.slice(0, at))) continue
      const path = join(dataDir, folder, entry)
      if (!lstatSync(path).isFile()) continue
      rmSync(path, { force: true })
      removed.push(join(folder, entry))
    }
  }
  return removed
}

/**
 * Why `JSON.parse` refused a file, without its text: V8's messages quote the part of the input around
 * the fault, which in a secrets file is a secret. Only the position survives.
 */
export function jsonSyntaxProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const where = message.match(/line \d+ column \d+/)?.[0] ?? message.match(/position \d+/)?.[0]
  if (/end of JSON input/.test(message)) return 'not valid JSON (it ends too early)'
  return where ? `not valid JSON (at ${where})` : 'not valid JSON'
}

function tighten(path: string): void {
  const stat = lstatSync(path)
  // A link may point anywhere; only what is really in the folder is Headcount's to change.
  if (stat.isSymbolicLink()) return
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE)
    for (const entry of readdirSync(path)) tighten(join(path, entry))
  } else if (stat.isFile() && (stat.mode & 0o777) !== PRIVATE_FILE_MODE) {
    chmodSync(path, PRIVATE_FILE_MODE)
  }
}

/**
 * Creates the data folder (0700) if it is missing and tightens what Headcount keeps in it: settings,
 * secrets and their kept-aside copies, history databases (with SQLite's -wal and -shm), friend graphs
 * and exports. Throws (with the path) when the folder can't be created or changed.
 */
export function prepareDataDir(dataDir: string): void {
  ensurePrivateDir(dataDir)
  for (const entry of readdirSync(dataDir)) {
    if (OWN_FOLDERS.has(entry) || OWN_FILES.test(entry)) tighten(join(dataDir, entry))
  }
}
