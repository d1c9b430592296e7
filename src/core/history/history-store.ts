import { TOTAL_SERIES } from '../../shared/history.ts'
import { chmodSync, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { silentLogger, type Logger } from '../logger.ts'
import { downsampleGroups, downsampleSeries } from './downsample.ts'
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE } from '../data-files.ts'
import { Checkpointer } from './checkpointer.ts'
import { inIndexOrder } from './member-order.ts'
import { rollUp } from './rollup.ts'
import { HistoryFileError, inspectHistoryFile, migrate } from './schema.ts'
import {
  MINUTE_MS,
  mergeGaps,
  rollupSteps,
  sampleSteps,
  withGaps,
  type GapRow,
  type RollupRow,
  type SampleRow,
  type Step,
} from './steps.ts'
import type {
  GroupSeries,
  HistoryError,
  HistoryGap,
  HistoryTick,
  KnownRoom,
  Member,
  RetentionPolicy,
  RetentionReport,
  Series,
  SeriesQuery,
  Session,
  SessionsPage,
  SessionsQuery,
} from './types.ts'
import { runInChunks, SerialQueue } from './write-queue.ts'

export { HistoryFileError }

export { TOTAL_SERIES }
const DAY_MS = 86_400_000
/** Roll-ups are computed over windows this long, so one busy room never holds the loop for long. */
const ROLLUP_WINDOW_MS = 3_600_000
/** Retention deletes at most this many rows per step: one busy room's day of samples is one step too many. */
const DELETE_BATCH = 2_000
const PAGE = 5_000
const MAX_POINTS = 100_000

export interface HistoryStoreOptions {
  rawRetentionDays?: number
  rollupRetentionDays?: number
  /** The clock used by `applyRetention()` without an argument. */
  now?: () => number
  /** Open an existing history for reading only (the CLI's export): no migrations, no recovery. */
  readOnly?: boolean
  /**
   * SQLite's `synchronous` setting. NORMAL (default) keeps every committed tick through a killed
   * process (the WAL is in the OS's page cache); FULL also survives power loss, at a cost per commit.
   */
  synchronous?: 'NORMAL' | 'FULL'
  /** How long one write transaction may hold the event loop before yielding, ms. */
  chunkBudgetMs?: number
  logger?: Logger
}

interface RoomState {
  id: number
  name: string
  /** Latest stored count; -1 before the first. */
  count: number
  groups: Record<string, number>
  knownGroups: Set<string>
}

type Row = Record<string, unknown>

/**
 * Headcount's history: occupancy samples per room (stored only when a room's summary changes), a
 * total per tick, presence sessions, gaps and errors, in one SQLite file (WAL). Writes are queued
 * and applied in order, in transactions short enough to keep the event loop responsive; reads are
 * synchronous and fast. See DESIGN.md §5 and the README's History section.
 */
export class HistoryStore {
  readonly path: string
  readonly readOnly: boolean
  private readonly db: DatabaseSync
  private readonly now: () => number
  private readonly logger: Logger
  private readonly budgetMs: number
  private readonly queue = new SerialQueue()
  private readonly statements = new Map<string, StatementSync>()
  private retention: RetentionPolicy
  private roomStates = new Map<string, RoomState>()
  private lastTickAt: number | null = null
  /** After a restart or a stop, the next tick records a gap from here: nothing was recorded meanwhile. */
  private resumeGapFrom: number | null = null
  private closed = false
  private readonly checkpointer: Checkpointer | null = null

  private constructor(db: DatabaseSync, path: string, options: HistoryStoreOptions) {
    this.db = db
    this.path = path
    this.readOnly = options.readOnly ?? false
    this.now = options.now ?? Date.now
    this.logger = options.logger ?? silentLogger
    // A chunk's COMMIT writes its dirty pages to the WAL and costs about as much again as the chunk
    // (measured: 20 ms of scattered session updates took 20-37 ms to commit), so 10 ms keeps both
    // together well under the 50 ms the event loop may be held.
    this.budgetMs = options.chunkBudgetMs ?? 10
    this.retention = checkedRetention({
      rawRetentionDays: options.rawRetentionDays ?? 7,
      rollupRetentionDays: options.rollupRetentionDays ?? 90,
    })
    if (!this.readOnly) {
      this.checkpointer = new Checkpointer(path, this.logger, () => db.exec('PRAGMA wal_autocheckpoint = 1000'))
      this.loadRooms()
      this.lastTickAt = this.lastTick()
      // Undo whatever a killed process left half-written, before any new tick.
      this.queue
        .run(() => this.recover())
        .catch((error: unknown) => this.logger.error('History recovery failed', error))
    }
  }

  /**
   * Opens (creating the folder and file if needed) a history database. Refuses, without changing it,
   * a file that is not a Headcount history or was written by a newer version.
   */
  static open(path: string, options: HistoryStoreOptions = {}): HistoryStore {
    const readOnly = options.readOnly ?? false
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
        db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`)
        // After a big write the WAL is truncated back to this size at the next checkpoint.
        db.exec('PRAGMA journal_size_limit = 67108864')
        // Checkpoints run on a worker thread (checkpointer.ts), not inside our commits.
        db.exec('PRAGMA wal_autocheckpoint = 0')
        migrate(db, inspection.version, (options.now ?? Date.now)())
      }
      db.exec('PRAGMA cache_size = -32768')
      db.exec('PRAGMA temp_store = MEMORY')
    } catch (error) {
      db.close()
      throw error instanceof HistoryFileError
        ? error
        : new HistoryFileError(`${path} cannot be used as a history database: ${(error as Error).message}`)
    }
    return new HistoryStore(db, path, options)
  }

  // ---------------------------------------------------------------- writing

  /**
   * Stores one sync: a sample for each room whose summary changed (rooms that had members and are
   * no longer listed drop to 0), sessions closed for leaves and opened for joins, and the tick's
   * total. Ticks are applied in the order given; a tick at or before the previous one is moved 1 ms
   * after it. A huge tick (a first sync of a million members) is written in chunks, yielding to the
   * event loop between them; if the process dies midway, the next open undoes the partial tick.
   */
  recordTick(tick: HistoryTick): Promise<void> {
    if (!Number.isFinite(tick.at)) return Promise.reject(new TypeError('tick.at must be a time in ms'))
    return this.write(() => this.writeTick(tick))
  }

  /** A span with no data (a failed poll): queries give `null` across it, never 0. Empty spans are ignored. */
  recordGap(gap: HistoryGap): Promise<void> {
    if (!Number.isFinite(gap.from) || !Number.isFinite(gap.to))
      return Promise.reject(new TypeError('gap.from and gap.to must be times in ms'))
    if (gap.to <= gap.from) return Promise.resolve()
    return this.write(() => {
      this.statement('INSERT INTO gaps (from_t, to_t, reason) VALUES (?, ?, ?)').run(
        Math.round(gap.from),
        Math.round(gap.to),
        String(gap.reason).slice(0, 500),
      )
    })
  }

  recordError(error: HistoryError): Promise<void> {
    return this.write(() => {
      this.statement('INSERT INTO errors (t, kind, message) VALUES (?, ?, ?)').run(
        Math.round(error.at),
        String(error.kind).slice(0, 100),
        String(error.message).slice(0, 2000),
      )
    })
  }

  /**
   * Syncing stopped (disconnect) at `at`: every open session ends then, and the next tick records a
   * gap from `at`, since a fresh sync reports everyone present as joining again.
   */
  recordSyncStopped(at: number): Promise<void> {
    return this.write(async () => {
      const end = Math.max(Math.round(at), this.lastTickAt ?? -Infinity)
      await this.closeOpenSessions(end)
      this.resumeGapFrom = end
    })
  }

  /** Resolves once every write queued so far is on disk. */
  flush(): Promise<void> {
    return this.queue.idle()
  }

  setRetention(policy: Partial<RetentionPolicy>): void {
    this.retention = checkedRetention({ ...this.retention, ...policy })
  }

  getRetention(): RetentionPolicy {
    return { ...this.retention }
  }

  /**
   * Rolls raw samples older than the raw retention into 1-minute roll-ups, then deletes them (keeping
   * each room's last value before the cut, which is where later data starts from), deletes closed
   * sessions as old, and roll-ups, gaps and errors older than the roll-up retention. Queued with the
   * writes and chunked like them; call it every few minutes.
   */
  applyRetention(now: number = this.now()): Promise<RetentionReport> {
    return this.write(() => this.retain(now))
  }

  /** Waits for queued writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.idle()
    await this.checkpointer?.close()
    this.db.close()
  }

  private readonly afterCommit = (): void => this.checkpointer?.request()
  private readonly chunkHooks = { afterCommit: this.afterCommit, between: async () => this.checkpointer?.catchUp() }

  private write<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The history store is closed'))
    if (this.readOnly) return Promise.reject(new Error('The history store is open read-only'))
    const result = this.queue.run(async () => {
      await this.checkpointer?.catchUp()
      return task()
    })
    void result.then(this.afterCommit, () => undefined)
    // Callers may fire and forget (a sync loop's gap callback): a failure is logged, never unhandled.
    result.catch((error: unknown) => this.logger.error('History write failed', error))
    return result
  }

  private async writeTick(tick: HistoryTick): Promise<void> {
    const rounded = Math.round(tick.at)
    const at = this.lastTickAt !== null && rounded <= this.lastTickAt ? this.lastTickAt + 1 : rounded
    const gapFrom = this.resumeGapFrom
    const openSession = this.statement(
      'INSERT OR IGNORE INTO sessions (room_id, user, grp, joined) VALUES (?, ?, ?, ?)',
    )
    const closeSession = this.statement(
      'UPDATE sessions SET left = ? WHERE room_id = ? AND user = ? AND grp = ? AND left IS NULL',
    )
    const leaves = await inIndexOrder(tick.leaves)
    const joins = await inIndexOrder(tick.joins)
    const work = function* (this: HistoryStore): Generator<void> {
      if (gapFrom !== null && gapFrom < at) {
        this.statement('INSERT INTO gaps (from_t, to_t, reason) VALUES (?, ?, ?)').run(
          gapFrom,
          at,
          'Headcount was not recording',
        )
      }
      const listed = new Set<string>()
      for (const summary of tick.rooms) {
        listed.add(summary.room)
        const room = this.roomState(summary.room)
        if (room.count === summary.count && sameGroups(room.groups, summary.groups)) continue
        this.writeSample(room, at, summary.count, summary.groups)
        yield
      }
      for (const room of this.roomStates.values()) {
        if (listed.has(room.name) || (room.count <= 0 && Object.keys(room.groups).length === 0)) continue
        this.writeSample(room, at, 0, {})
        yield
      }
      // Leaves first: a member who changed group leaves one session and joins another in one tick.
      for (const member of leaves) {
        closeSession.run(at, this.roomState(member.room).id, member.user, member.group ?? '')
        yield
      }
      for (const member of joins) {
        openSession.run(this.roomState(member.room).id, member.user, member.group ?? '', at)
        yield
      }
      this.statement('INSERT INTO ticks (t, total, channels, unmatched, rooms) VALUES (?, ?, ?, ?, ?)').run(
        at,
        tick.total,
        tick.channels,
        tick.unmatched,
        tick.rooms.length,
      )
      // The commit mark recovery uses to tell this tick's sessions from a half-written next one.
      this.statement(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('committed_session_id', (SELECT ifnull(max(id), 0) FROM sessions))",
      ).run()
    }
    try {
      await runInChunks(this.db, work.call(this), this.budgetMs, this.chunkHooks)
    } catch (error) {
      // Part of the tick may be committed: undo it so the file reads as if the tick never came.
      try {
        await this.undoPartialTick()
      } finally {
        this.loadRooms()
      }
      throw error
    }
    this.lastTickAt = at
    this.resumeGapFrom = null
  }

  private writeSample(room: RoomState, at: number, count: number, groups: Record<string, number>): void {
    const canonical = canonicalGroups(groups)
    this.statement('INSERT INTO samples (room_id, t, count, groups) VALUES (?, ?, ?, ?)').run(
      room.id,
      at,
      count,
      JSON.stringify(canonical),
    )
    for (const name of Object.keys(canonical)) {
      if (room.knownGroups.has(name)) continue
      this.statement('INSERT OR IGNORE INTO room_groups (room_id, name) VALUES (?, ?)').run(room.id, name)
      room.knownGroups.add(name)
    }
    room.count = count
    room.groups = canonical
  }

  private roomState(name: string): RoomState {
    let room = this.roomStates.get(name)
    if (!room) {
      const { id } = this.statement('INSERT INTO rooms (name) VALUES (?) RETURNING id').get(name) as { id: number }
      // -1: nothing recorded yet, so a room's first summary is always stored, even a 0.
      room = { id, name, count: -1, groups: {}, knownGroups: new Set() }
      this.roomStates.set(name, room)
    }
    return room
  }

  private loadRooms(): void {
    const rooms = new Map<string, RoomState>()
    const rows = this.db
      .prepare(
        'SELECT r.id, r.name, s.count, s.groups FROM rooms r LEFT JOIN samples s ON s.room_id = r.id AND s.t = (SELECT max(t) FROM samples WHERE room_id = r.id)',
      )
      .all() as { id: number; name: string; count: number | null; groups: string | null }[]
    for (const row of rows) {
      rooms.set(row.name, {
        id: row.id,
        name: row.name,
        count: row.count ?? -1,
        groups: parseGroupsJson(row.groups),
        knownGroups: new Set(),
      })
    }
    const byId = new Map([...rooms.values()].map((room) => [room.id, room]))
    for (const row of this.db.prepare('SELECT room_id, name FROM room_groups').all() as {
      room_id: number
      name: string
    }[]) {
      byId.get(row.room_id)?.knownGroups.add(row.name)
    }
    this.roomStates = rooms
  }

  private lastTick(): number | null {
    return (this.statement('SELECT max(t) AS t FROM ticks').get() as { t: number | null }).t
  }

  private async recover(): Promise<void> {
    await this.undoPartialTick()
    const last = this.lastTick()
    if (last === null) return
    // Members present when the previous run ended are not known to have stayed: their sessions end at
    // its last tick, and the first sync of this run opens them again.
    await this.closeOpenSessions(last)
    this.resumeGapFrom = last + 1
  }

  /** Deletes what a tick written in chunks committed before the process died (or the write failed). */
  private async undoPartialTick(): Promise<void> {
    const last = this.lastTick()
    const committed = Number(this.metaValue('committed_session_id') ?? 0)
    const after = last ?? Number.MIN_SAFE_INTEGER
    const hasLaterSession = this.statement('SELECT 1 FROM sessions WHERE id > ? LIMIT 1').get(committed) !== undefined
    const roomIds = [...this.roomStates.values()].map((room) => room.id)
    let changed = hasLaterSession
    const work = function* (this: HistoryStore): Generator<void> {
      while (
        hasLaterSession &&
        Number(
          this.statement('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE id > ? LIMIT 2000)').run(
            committed,
          ).changes,
        ) > 0
      )
        yield
      for (const id of roomIds) {
        if (Number(this.statement('DELETE FROM samples WHERE room_id = ? AND t > ?').run(id, after).changes) > 0)
          changed = true
        yield
      }
    }
    await runInChunks(this.db, work.call(this), this.budgetMs, this.chunkHooks)
    if (changed) this.loadRooms()
  }

  private async closeOpenSessions(at: number): Promise<void> {
    const close = this.statement(
      'UPDATE sessions SET left = max(?, joined) WHERE id IN (SELECT id FROM sessions WHERE left IS NULL LIMIT 2000)',
    )
    const work = function* (this: HistoryStore): Generator<void> {
      while (Number(close.run(at).changes) > 0) yield
    }
    await runInChunks(this.db, work.call(this), this.budgetMs, this.chunkHooks)
  }

  private async retain(now: number): Promise<RetentionReport> {
    const rawCut = floorMinute(now - this.retention.rawRetentionDays * DAY_MS)
    const rollupCut = floorMinute(now - this.retention.rollupRetentionDays * DAY_MS)
    const rawFloor = this.floor('raw_floor')
    const report: RetentionReport = {
      rawFloor: rawFloor ?? rawCut,
      rollupFloor: rollupCut,
      rollupRows: 0,
      deletedSamples: 0,
      deletedSessions: 0,
    }
    const firstTick = (this.statement('SELECT min(t) AS t FROM ticks').get() as { t: number | null }).t
    const rooms = [...this.roomStates.values()]

    // Deletes dirty many pages per ms of work, and a commit writes them all: quarter-size chunks.
    // 1. Roll up [floor, cut) for every room and the total. Idempotent (rows are replaced), and the
    //    raw floor moves only once all of it is done, so a crash here loses nothing.
    const start = rawFloor ?? (firstTick === null ? null : floorMinute(firstTick))
    if (start !== null && start < rawCut) {
      const rollWork = function* (this: HistoryStore): Generator<void> {
        for (let window = start; window < rawCut; window += ROLLUP_WINDOW_MS) {
          const end = Math.min(window + ROLLUP_WINDOW_MS, rawCut)
          for (const room of rooms) {
            report.rollupRows += this.rollUpRoom(room.id, window, end)
            yield
          }
          report.rollupRows += this.rollUpTotal(window, end)
          yield
        }
        this.setMeta('raw_floor', String(rawCut))
      }
      await runInChunks(this.db, rollWork.call(this), this.budgetMs / 4, this.chunkHooks)
      report.rawFloor = rawCut
    }

    // 2. Delete raw data under the floor, keeping each series' last value before it.
    const floor = this.floor('raw_floor')
    if (floor !== null) {
      const sessionCut = rawCut
      const deleteWork = function* (this: HistoryStore): Generator<void> {
        for (const room of rooms) {
          const keep = this.statement('SELECT max(t) AS t FROM samples WHERE room_id = ? AND t <= ?').get(
            room.id,
            floor,
          ) as { t: number | null }
          if (keep.t !== null) {
            // Samples have no rowid: delete up to the time of the batch's last row, then go on.
            const boundary = this.statement(
              'SELECT t FROM samples WHERE room_id = ? AND t < ? ORDER BY t LIMIT 1 OFFSET ?',
            )
            const deleteBefore = this.statement('DELETE FROM samples WHERE room_id = ? AND t < ?')
            for (;;) {
              const next = boundary.get(room.id, keep.t, DELETE_BATCH) as { t: number } | undefined
              const upTo: number = next?.t ?? (keep.t as number)
              report.deletedSamples += Number(deleteBefore.run(room.id, upTo).changes)
              yield
              if (upTo === keep.t) break
            }
          }
          yield
        }
        const keepTick = this.statement('SELECT max(t) AS t FROM ticks WHERE t <= ?').get(floor) as { t: number | null }
        if (keepTick.t !== null) {
          const deleteTicks = this.statement(
            'DELETE FROM ticks WHERE rowid IN (SELECT rowid FROM ticks WHERE t < ? LIMIT ?)',
          )
          while (Number(deleteTicks.run(keepTick.t, DELETE_BATCH).changes) === DELETE_BATCH) yield
        }
        yield
        // Session ids grow with their join time: walk from the oldest and stop at the first that
        // joined after the cut (nothing later can have left before it).
        let cursor = 0
        for (;;) {
          const page = this.statement('SELECT id, joined, left FROM sessions WHERE id > ? ORDER BY id LIMIT 1000').all(
            cursor,
          ) as { id: number; joined: number; left: number | null }[]
          const stale = page.filter((session) => session.left !== null && session.left < sessionCut)
          for (const session of stale) this.statement('DELETE FROM sessions WHERE id = ?').run(session.id)
          report.deletedSessions += stale.length
          yield
          const last = page.at(-1)
          if (!last || page.length < 1000 || last.joined >= sessionCut) break
          cursor = last.id
        }
      }
      await runInChunks(this.db, deleteWork.call(this), this.budgetMs / 4, this.chunkHooks)
    }

    // 3. Roll-ups, gaps and errors older than the roll-up retention.
    const expireWork = function* (this: HistoryStore): Generator<void> {
      for (const room of rooms) {
        const keep = this.statement('SELECT max(minute) AS m FROM rollups WHERE room_id = ? AND minute <= ?').get(
          room.id,
          rollupCut,
        ) as { m: number | null }
        if (keep.m !== null) this.statement('DELETE FROM rollups WHERE room_id = ? AND minute < ?').run(room.id, keep.m)
        yield
      }
      const keepTotal = this.statement('SELECT max(minute) AS m FROM total_rollups WHERE minute <= ?').get(
        rollupCut,
      ) as { m: number | null }
      if (keepTotal.m !== null) this.statement('DELETE FROM total_rollups WHERE minute < ?').run(keepTotal.m)
      this.statement('DELETE FROM gaps WHERE to_t <= ?').run(rollupCut)
      this.statement('DELETE FROM errors WHERE t < ?').run(rollupCut)
      if ((this.floor('rollup_floor') ?? -Infinity) < rollupCut) this.setMeta('rollup_floor', String(rollupCut))
    }
    await runInChunks(this.db, expireWork.call(this), this.budgetMs / 4, this.chunkHooks)
    return report
  }

  private rollUpRoom(roomId: number, from: number, to: number): number {
    const samples = this.statement(
      'SELECT t, count, groups FROM samples WHERE room_id = ? AND t > ? AND t < ? ORDER BY t',
    ).all(roomId, from, to) as unknown as SampleRow[]
    const before = this.statement(
      'SELECT t, count, groups FROM samples WHERE room_id = ? AND t <= ? ORDER BY t DESC LIMIT 1',
    ).get(roomId, from) as SampleRow | undefined
    // Nothing changed in the window (and no sample sits right on its start): no row to write.
    if (samples.length === 0 && before?.t !== from) return 0
    const rows = rollUp(sampleSteps(before, samples, from), from, to)
    const insert = this.statement(
      'INSERT OR REPLACE INTO rollups (room_id, minute, min, max, avg, last, last_groups) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    for (const row of rows) insert.run(roomId, row.minute, row.min, row.max, row.avg, row.last, row.groups ?? '{}')
    return rows.length
  }

  private rollUpTotal(from: number, to: number): number {
    const ticks = this.statement('SELECT t, total AS count FROM ticks WHERE t > ? AND t < ? ORDER BY t').all(
      from,
      to,
    ) as unknown as SampleRow[]
    const before = this.statement('SELECT t, total AS count FROM ticks WHERE t <= ? ORDER BY t DESC LIMIT 1').get(
      from,
    ) as SampleRow | undefined
    if (ticks.length === 0 && before?.t !== from) return 0
    const rows = rollUp(sampleSteps(before, ticks, from), from, to)
    const insert = this.statement(
      'INSERT OR REPLACE INTO total_rollups (minute, min, max, avg, last) VALUES (?, ?, ?, ?, ?)',
    )
    for (const row of rows) insert.run(row.minute, row.min, row.max, row.avg, row.last)
    return rows.length
  }

  // ---------------------------------------------------------------- reading

  /**
   * Series for rooms (and the total) over [from, to), at most `points` points each: every change
   * when they fit, else min/max buckets (see downsample.ts). Ranges older than the raw retention
   * read the 1-minute roll-ups. Unknown rooms give an empty series.
   */
  querySeries(query: SeriesQuery): Series[] {
    const { from, to, points } = checkedRange(query.from, query.to, query.points)
    const gaps = this.gapRows(from, to)
    const series: Series[] = []
    if (query.includeTotal)
      series.push({
        room: TOTAL_SERIES,
        points: downsampleSeries([...withGaps(this.totalSteps(from, to), gaps)], from, to, points),
      })
    for (const name of query.rooms) {
      const id = this.roomId(name)
      const steps = id === null ? [] : [...withGaps(this.roomSteps(id, from, to, false), gaps)]
      series.push({ room: name, points: downsampleSeries(steps, from, to, points) })
    }
    return series
  }

  /** A room's count with its per-group counts, at most `points` points, for a stacked chart. */
  roomGroupSeries(query: { room: string; from: number; to: number; points: number }): GroupSeries {
    const { from, to, points } = checkedRange(query.from, query.to, query.points)
    const id = this.roomId(query.room)
    if (id === null) return { room: query.room, groups: [], points: [] }
    const steps = [...withGaps(this.roomSteps(id, from, to, true), this.gapRows(from, to))]
    return {
      room: query.room,
      groups: this.groupNames([query.room]),
      points: downsampleGroups(steps, from, to, points),
    }
  }

  /**
   * The step sequence of a room over [from, to), gaps included, read page by page: what the CSV
   * export streams. `null` for a room the history has never seen.
   */
  occupancySteps(room: string, from: number, to: number): Iterable<Step> | null {
    const id = this.roomId(room)
    if (id === null) return null
    return withGaps(this.roomSteps(id, from, to, true), this.gapRows(from, to))
  }

  /** The total's step sequence over [from, to), gaps included. */
  totalOccupancySteps(from: number, to: number): Iterable<Step> {
    return withGaps(this.totalSteps(from, to), this.gapRows(from, to))
  }

  /** Stored changes of these rooms within [from, to) (an export's row estimate at raw resolution). */
  countSamples(rooms: readonly string[], from: number, to: number): number {
    let count = 0
    for (const room of rooms) {
      const id = this.roomId(room)
      if (id !== null)
        count += (
          this.statement('SELECT count(*) AS n FROM samples WHERE room_id = ? AND t >= ? AND t < ?').get(
            id,
            from,
            to,
          ) as { n: number }
        ).n
    }
    return count
  }

  /** Ticks within [from, to) (an export's row estimate for the total at raw resolution). */
  countTicks(from: number, to: number): number {
    return (this.statement('SELECT count(*) AS n FROM ticks WHERE t >= ? AND t < ?').get(from, to) as { n: number }).n
  }

  /** Known rooms (sorted) with their latest count. */
  rooms(): KnownRoom[] {
    const rows = this.statement(
      'SELECT r.name, s.count, s.groups, s.t FROM rooms r LEFT JOIN samples s ON s.room_id = r.id AND s.t = (SELECT max(t) FROM samples WHERE room_id = r.id) ORDER BY r.name',
    ).all() as { name: string; count: number | null; groups: string | null; t: number | null }[]
    return rows.map((row) => ({
      room: row.name,
      count: row.count ?? 0,
      groups: parseGroupsJson(row.groups),
      changedAt: row.t,
    }))
  }

  /** Every group seen in these rooms, sorted. */
  groupNames(rooms: readonly string[]): string[] {
    const names = new Set<string>()
    for (const room of rooms) {
      const id = this.roomId(room)
      if (id === null) continue
      for (const row of this.statement('SELECT name FROM room_groups WHERE room_id = ?').all(id) as { name: string }[])
        names.add(row.name)
    }
    return [...names].sort()
  }

  /** Sessions, most recent joins first, filtered and paged. */
  sessions(query: SessionsQuery = {}): SessionsPage {
    const limit = clampInt(query.limit ?? 100, 1, 10_000)
    const offset = clampInt(query.offset ?? 0, 0, Number.MAX_SAFE_INTEGER)
    const where: string[] = []
    const params: (number | string)[] = []
    if (query.room !== undefined) {
      const id = this.roomId(query.room)
      if (id === null) return { sessions: [], more: false }
      where.push('s.room_id = ?')
      params.push(id)
    }
    if (query.user !== undefined) {
      where.push('s.user = ?')
      params.push(query.user)
    }
    if (query.from !== undefined) {
      where.push('(s.left IS NULL OR s.left >= ?)')
      params.push(query.from)
    }
    if (query.to !== undefined) {
      where.push('s.joined < ?')
      params.push(query.to)
    }
    // Ids grow with join time, so without a room or user the primary key gives the order for free.
    const order = query.room !== undefined || query.user !== undefined ? 's.joined DESC, s.id DESC' : 's.id DESC'
    const sql = `SELECT s.id, r.name AS room, s.user, s.grp, s.joined, s.left FROM sessions s JOIN rooms r ON r.id = s.room_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`
    const rows = this.statement(sql).all(...params, limit + 1, offset) as SessionRow[]
    return { sessions: rows.slice(0, limit).map(toSession), more: rows.length > limit }
  }

  /** Members present in a room (open sessions), by user id; `search` is a case-insensitive substring. */
  openSessions(room: string, options: { search?: string; offset?: number; limit?: number } = {}): Session[] {
    const id = this.roomId(room)
    if (id === null) return []
    const limit = clampInt(options.limit ?? 100, 1, 10_000)
    const offset = clampInt(options.offset ?? 0, 0, Number.MAX_SAFE_INTEGER)
    const search = options.search ? `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : '%'
    const rows = this.statement(
      "SELECT s.id, ? AS room, s.user, s.grp, s.joined, s.left FROM sessions s WHERE s.room_id = ? AND s.left IS NULL AND s.user LIKE ? ESCAPE '\\' ORDER BY s.user, s.grp LIMIT ? OFFSET ?",
    ).all(room, id, search, limit, offset) as SessionRow[]
    return rows.map(toSession)
  }

  /**
   * Sessions for export, oldest join first per room (rooms in name order), page by page: those of
   * `rooms` (all rooms when omitted) that were open at some time in [from, to).
   */
  *iterateSessions(options: { rooms?: readonly string[]; from?: number; to?: number } = {}): Generator<Session> {
    const from = options.from ?? Number.MIN_SAFE_INTEGER
    const to = options.to ?? Number.MAX_SAFE_INTEGER
    const names = options.rooms ?? this.rooms().map((room) => room.room)
    const page = this.statement(
      'SELECT id, ? AS room, user, grp, joined, left FROM sessions WHERE room_id = ? AND joined < ? AND (joined, id) > (?, ?) AND (left IS NULL OR left >= ?) ORDER BY joined, id LIMIT ?',
    )
    for (const name of names) {
      const id = this.roomId(name)
      if (id === null) continue
      let cursor = { joined: Number.MIN_SAFE_INTEGER, id: 0 }
      for (;;) {
        const rows = page.all(name, id, to, cursor.joined, cursor.id, from, PAGE) as SessionRow[]
        for (const row of rows) yield toSession(row)
        const last = rows.at(-1)
        if (!last || rows.length < PAGE) break
        cursor = { joined: last.joined, id: last.id }
      }
    }
  }

  /** Sessions `iterateSessions` would give (an export's row estimate). */
  countSessions(options: { rooms?: readonly string[]; from?: number; to?: number } = {}): number {
    const from = options.from ?? Number.MIN_SAFE_INTEGER
    const to = options.to ?? Number.MAX_SAFE_INTEGER
    const names = options.rooms ?? this.rooms().map((room) => room.room)
    let count = 0
    for (const name of names) {
      const id = this.roomId(name)
      if (id === null) continue
      count += (
        this.statement(
          'SELECT count(*) AS n FROM sessions WHERE room_id = ? AND joined < ? AND (left IS NULL OR left >= ?)',
        ).get(id, to, from) as { n: number }
      ).n
    }
    return count
  }

  /** Gaps overlapping [from, to), merged. */
  gaps(from: number, to: number): HistoryGap[] {
    return this.gapRows(from, to)
  }

  errors(from: number, to: number, limit = 100): HistoryError[] {
    const rows = this.statement(
      'SELECT t, kind, message FROM errors WHERE t >= ? AND t < ? ORDER BY t DESC LIMIT ?',
    ).all(from, to, clampInt(limit, 1, 10_000)) as { t: number; kind: string; message: string }[]
    return rows.map((row) => ({ at: row.t, kind: row.kind, message: row.message }))
  }

  /** Members not yet known to have left, as of the latest tick. */
  openSessionCount(): number {
    return (this.statement('SELECT count(*) AS n FROM sessions WHERE left IS NULL').get() as { n: number }).n
  }

  private *roomSteps(roomId: number, from: number, to: number, withGroups: boolean): Generator<Step> {
    const groupsColumn = withGroups ? ', groups' : ''
    yield* this.eraSteps(from, to, {
      rollupBefore: (at) =>
        this.statement(
          `SELECT minute, min, max, avg, last${withGroups ? ', last_groups AS groups' : ''} FROM rollups WHERE room_id = ? AND minute <= ? ORDER BY minute DESC LIMIT 1`,
        ).get(roomId, at) as RollupRow | undefined,
      rollupPage: (after, before) =>
        this.statement(
          `SELECT minute, min, max, avg, last${withGroups ? ', last_groups AS groups' : ''} FROM rollups WHERE room_id = ? AND minute > ? AND minute < ? ORDER BY minute LIMIT ${PAGE}`,
        ).all(roomId, after, before) as unknown as RollupRow[],
      sampleBefore: (at) =>
        this.statement(
          `SELECT t, count${groupsColumn} FROM samples WHERE room_id = ? AND t <= ? ORDER BY t DESC LIMIT 1`,
        ).get(roomId, at) as SampleRow | undefined,
      samplePage: (after, before) =>
        this.statement(
          `SELECT t, count${groupsColumn} FROM samples WHERE room_id = ? AND t > ? AND t < ? ORDER BY t LIMIT ${PAGE}`,
        ).all(roomId, after, before) as unknown as SampleRow[],
    })
  }

  private *totalSteps(from: number, to: number): Generator<Step> {
    yield* this.eraSteps(from, to, {
      rollupBefore: (at) =>
        this.statement(
          'SELECT minute, min, max, avg, last FROM total_rollups WHERE minute <= ? ORDER BY minute DESC LIMIT 1',
        ).get(at) as RollupRow | undefined,
      rollupPage: (after, before) =>
        this.statement(
          `SELECT minute, min, max, avg, last FROM total_rollups WHERE minute > ? AND minute < ? ORDER BY minute LIMIT ${PAGE}`,
        ).all(after, before) as unknown as RollupRow[],
      sampleBefore: (at) =>
        this.statement('SELECT t, total AS count FROM ticks WHERE t <= ? ORDER BY t DESC LIMIT 1').get(at) as
          SampleRow | undefined,
      samplePage: (after, before) =>
        this.statement(`SELECT t, total AS count FROM ticks WHERE t > ? AND t < ? ORDER BY t LIMIT ${PAGE}`).all(
          after,
          before,
        ) as unknown as SampleRow[],
    })
  }

  /** Steps over [from, to): roll-ups below the raw floor, raw rows above it, nothing below the roll-up floor. */
  private *eraSteps(from: number, to: number, read: EraReaders): Generator<Step> {
    const rollupFloor = this.floor('rollup_floor')
    const rawFloor = this.floor('raw_floor') ?? Number.MIN_SAFE_INTEGER
    const start = Math.max(from, rollupFloor ?? Number.MIN_SAFE_INTEGER)
    if (start >= to) {
      if (rollupFloor !== null) yield { kind: 'unknown', t: from }
      return
    }
    if (start > from) yield { kind: 'unknown', t: from }
    if (start < rawFloor) {
      const end = Math.min(to, rawFloor)
      yield* rollupSteps(
        read.rollupBefore(start),
        paged(
          (after) => read.rollupPage(after, end),
          start,
          (row) => row.minute,
        ),
        start,
        end,
      )
    }
    const rawStart = Math.max(start, rawFloor)
    if (rawStart < to)
      yield* sampleSteps(
        read.sampleBefore(rawStart),
        paged(
          (after) => read.samplePage(after, to),
          rawStart,
          (row) => row.t,
        ),
        rawStart,
      )
  }

  private gapRows(from: number, to: number): GapRow[] {
    const rows = this.statement(
      'SELECT from_t AS "from", to_t AS "to", reason FROM gaps WHERE to_t > ? AND from_t < ? ORDER BY from_t',
    ).all(from, to) as unknown as GapRow[]
    return mergeGaps(rows, from, to)
  }

  private roomId(name: string): number | null {
    const cached = this.roomStates.get(name)
    if (cached) return cached.id
    const row = this.statement('SELECT id FROM rooms WHERE name = ?').get(name) as { id: number } | undefined
    return row?.id ?? null
  }

  private floor(key: 'raw_floor' | 'rollup_floor'): number | null {
    const value = this.metaValue(key)
    return value === null ? null : Number(value)
  }

  private metaValue(key: string): string | null {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value ?? null
  }

  private setMeta(key: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value)
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }
}

interface EraReaders {
  rollupBefore(at: number): RollupRow | undefined
  rollupPage(after: number, before: number): RollupRow[]
  sampleBefore(at: number): SampleRow | undefined
  samplePage(after: number, before: number): SampleRow[]
}

interface SessionRow extends Row {
  id: number
  room: string
  user: string
  grp: string
  joined: number
  left: number | null
}

/** Reads rows page by page (keyset on the time column), lazily. */
function* paged<T>(read: (after: number) => T[], start: number, timeOf: (row: T) => number): Generator<T> {
  let after = start
  for (;;) {
    const rows = read(after)
    yield* rows
    const last = rows.at(-1)
    if (last === undefined || rows.length < PAGE) return
    after = timeOf(last)
  }
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    room: row.room,
    user: row.user,
    group: row.grp === '' ? null : row.grp,
    joined: row.joined,
    left: row.left,
  }
}

function sameGroups(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(b)
  if (keys.length !== Object.keys(a).length) return false
  return keys.every((key) => a[key] === b[key])
}

function canonicalGroups(groups: Record<string, number>): Record<string, number> {
  const sorted: Record<string, number> = {}
  for (const key of Object.keys(groups).sort()) sorted[key] = groups[key] as number
  return sorted
}

function parseGroupsJson(json: string | null): Record<string, number> {
  if (!json) return {}
  try {
    const parsed: unknown = JSON.parse(json)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, number>)
      : {}
  } catch {
    return {}
  }
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.trunc(Number.isFinite(value) ? value : min)))
}

function checkedRange(from: number, to: number, points: number): { from: number; to: number; points: number } {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to)
    throw new RangeError('"from" must be a time before "to"')
  if (!Number.isInteger(points) || points < 1) throw new RangeError('"points" must be a whole number of at least 1')
  return { from: Math.round(from), to: Math.round(to), points: Math.min(points, MAX_POINTS) }
}

function checkedRetention(policy: RetentionPolicy): RetentionPolicy {
  const { rawRetentionDays, rollupRetentionDays } = policy
  if (!(rawRetentionDays > 0) || !(rollupRetentionDays > 0))
    throw new RangeError('Retention must be a positive number of days')
  // Roll-ups are made from raw samples as they expire, so they cannot be kept for less time.
  return { rawRetentionDays, rollupRetentionDays: Math.max(rollupRetentionDays, rawRetentionDays) }
}

export type { Member }
