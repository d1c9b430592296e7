import { chmodSync, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from '../data-files.ts'
import type { Logger } from '../logger.ts'
import { Checkpointer } from './checkpointer.ts'
import { HistoryFileError, inspectHistoryFile, migrate } from './schema.ts'
import { runInChunks, type ChunkHooks } from './write-queue.ts'

/** SQLite's page cache for the history, in KiB: what the queries of charts and tables read again. */
export const CACHE_KIB = 32 * 1024
/**
 * The cache while a tick of many joins is written (a first sync opens a million sessions): those pages
 * are written once, in index order, and a cache kept full of them would only raise the process's peak
 * memory while the presence state is at its largest. The queries' cache comes back after it.
 */
export const BULK_WRITE_CACHE_KIB = 4 * 1024

export interface OpenOptions {
  readOnly: boolean
  synchronous: 'NORMAL' | 'FULL'
  /** The clock migrations stamp their rows with. */
  now: number
}

/**
 * Opens (creating the folder and file if needed) a history database and sets it up for Headcount's
 * writes. Refuses, without changing it, a file that is not a Headcount history or was written by a
 * newer version.
 */
export function openHistoryDatabase(path: string, { readOnly, synchronous, now }: OpenOptions): DatabaseSync {
  const inspection = inspectHistoryFile(path)
  if (readOnly && inspection.blank) throw new HistoryFileError(`No history database at ${path}`)
  if (!readOnly) {
    // Private from the first byte: SQLite gives the -wal and -shm files the database file's mode.
    ensurePrivateDir(dirname(path))
    ensurePrivateFile(path)
    for (const suffix of ['-wal', '-shm', '-journal']) {
      if (existsSync(path + suffix)) chmodSync(path + suffix, PRIVATE_FILE_MODE)
    }
  }
  const db = new DatabaseSync(path, { readOnly, enableForeignKeyConstraints: true })
  try {
    db.exec('PRAGMA busy_timeout = 5000')
    if (!readOnly) {
      db.exec('PRAGMA journal_mode = WAL')
      db.exec(`PRAGMA synchronous = ${synchronous}`)
      // After a big write the WAL is truncated back to this size at the next checkpoint.
      db.exec('PRAGMA journal_size_limit = 67108864')
      // Checkpoints run on a worker thread (checkpointer.ts), not inside our commits.
      db.exec('PRAGMA wal_autocheckpoint = 0')
      migrate(db, inspection.version, now)
    }
    db.exec(`PRAGMA cache_size = -${CACHE_KIB}`)
    db.exec('PRAGMA temp_store = MEMORY')
  } catch (error) {
    db.close()
    throw error instanceof HistoryFileError
      ? error
      : new HistoryFileError(`${path} cannot be used as a history database: ${(error as Error).message}`)
  }
  return db
}

/**
 * The open database as the history's parts share it: one statement cache, the `meta` table, and
 * chunked transactions that let the checkpointer keep the WAL bounded between chunks.
 */
export class HistoryDb {
  readonly raw: DatabaseSync
  /** How long one write transaction may hold the event loop before yielding, ms. */
  readonly budgetMs: number
  private readonly statements = new Map<string, StatementSync>()
  private readonly checkpointer: Checkpointer | null
  private readonly hooks: ChunkHooks

  constructor(raw: DatabaseSync, path: string, options: { readOnly: boolean; budgetMs: number; logger: Logger }) {
    this.raw = raw
    this.budgetMs = options.budgetMs
    this.checkpointer = options.readOnly
      ? null
      : new Checkpointer(path, options.logger, () => raw.exec('PRAGMA wal_autocheckpoint = 1000'))
    this.hooks = { afterCommit: () => this.afterCommit(), between: () => this.catchUp() }
  }

  /** Sets SQLite's page cache, in KiB (shrinking it gives back the pages beyond). */
  setCacheKib(kib: number): void {
    this.raw.exec(`PRAGMA cache_size = -${Math.round(kib)}`)
  }

  statement(sql: string): StatementSync {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.raw.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** Drives `work` in transactions of about `budgetMs` each (see runInChunks), checkpointing between them. */
  runInChunks(work: Iterator<unknown>, budgetMs = this.budgetMs): Promise<void> {
    return runInChunks(this.raw, work, budgetMs, this.hooks)
  }

  /** Asks for a checkpoint soon, after a commit. */
  afterCommit(): void {
    this.checkpointer?.request()
  }

  /** Waits, when the WAL has grown large, for a checkpoint to catch up before writing more. */
  async catchUp(): Promise<void> {
    await this.checkpointer?.catchUp()
  }

  metaValue(key: string): string | null {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value ?? null
  }

  setMeta(key: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value)
  }

  /** Raw data older than `raw_floor` lives only in roll-ups; nothing older than `rollup_floor` is kept. */
  floor(key: 'raw_floor' | 'rollup_floor'): number | null {
    const value = this.metaValue(key)
    return value === null ? null : Number(value)
  }

  lastTick(): number | null {
    return (this.statement('SELECT max(t) AS t FROM ticks').get() as { t: number | null }).t
  }

  async close(): Promise<void> {
    await this.checkpointer?.close()
    this.raw.close()
  }
}

export function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.trunc(Number.isFinite(value) ? value : min)))
}
