import type { AlertEntry } from '../../shared/alerts.ts'
import type { Annotations, GapCause, GroupSeries, Series, SeriesQuery } from '../../shared/history.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { AlertLog, type AlertFiring } from './alert-log.ts'
import { CatalogReader } from './catalog-reader.ts'
import { HistoryDb, openHistoryDatabase } from './history-db.ts'
import { Retention } from './retention.ts'
import { RoomIndex } from './room-index.ts'
import { SeriesReader } from './series-reader.ts'
import { SessionReader, type OpenSessionStart, type SessionRange } from './session-reader.ts'
import { GAP_CAUSE_TITLES } from '../../shared/history.ts'
import type { Step } from './steps.ts'
import type {
  HistoryError,
  HistoryEvent,
  HistoryGap,
  HistorySetup,
  HistoryTick,
  JoinNote,
  KnownRoom,
  RetentionPolicy,
  RetentionReport,
  Session,
  SessionsPage,
  SessionsQuery,
} from './types.ts'
import { SerialQueue } from './write-queue.ts'
import { HistoryWriter } from './writer.ts'

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

/**
 * Headcount's history: occupancy samples per room (stored only when a room's summary changes), a
 * total per tick, presence sessions, gaps and errors, in one SQLite file (WAL). Writes are queued
 * and applied in order, in transactions short enough to keep the event loop responsive; reads are
 * synchronous and fast. See DESIGN.md §5 and the README's History section.
 *
 * This class is the front door; the work is done by its parts: `writer.ts` (ticks and crash
 * recovery), `retention.ts` (roll-ups and deletes), `series-reader.ts`, `session-reader.ts` and
 * `catalog-reader.ts` (reads), over `history-db.ts` (the connection) and `room-index.ts`.
 */
export class HistoryStore {
  readonly path: string
  readonly readOnly: boolean
  private readonly db: HistoryDb
  private readonly now: () => number
  private readonly logger: Logger
  private readonly queue = new SerialQueue()
  private readonly writer: HistoryWriter | null = null
  private readonly retention: Retention
  private readonly catalog: CatalogReader
  private readonly series: SeriesReader
  private readonly sessionReader: SessionReader
  private readonly alertLog: AlertLog
  private closed = false

  private constructor(db: HistoryDb, path: string, options: HistoryStoreOptions) {
    this.db = db
    this.path = path
    this.readOnly = options.readOnly ?? false
    this.now = options.now ?? Date.now
    this.logger = options.logger ?? silentLogger
    const rooms = new RoomIndex(db)
    this.retention = new Retention(db, rooms, {
      rawRetentionDays: options.rawRetentionDays ?? 7,
      rollupRetentionDays: options.rollupRetentionDays ?? 90,
    })
    this.catalog = new CatalogReader(db, rooms)
    this.series = new SeriesReader(db, rooms, this.catalog)
    this.sessionReader = new SessionReader(db, rooms, () => this.catalog.rooms().map((room) => room.room))
    this.alertLog = new AlertLog(db)
    if (!this.readOnly) {
      rooms.load()
      const writer = new HistoryWriter(db, rooms)
      this.writer = writer
      // Undo whatever a killed process left half-written, before any new tick.
      this.queue
        .run(() => writer.recover())
        .catch((error: unknown) => this.logger.error('History recovery failed', error))
    }
  }

  /**
   * Opens (creating the folder and file if needed) a history database. Refuses, without changing it,
   * a file that is not a Headcount history or was written by a newer version.
   */
  static open(path: string, options: HistoryStoreOptions = {}): HistoryStore {
    const readOnly = options.readOnly ?? false
    const raw = openHistoryDatabase(path, {
      readOnly,
      synchronous: options.synchronous ?? 'NORMAL',
      now: (options.now ?? Date.now)(),
    })
    const logger = options.logger ?? silentLogger
    // A chunk's COMMIT writes its dirty pages to the WAL and costs about as much again as the chunk
    // (measured: 20 ms of scattered session updates took 20-37 ms to commit), so 10 ms keeps both
    // together well under the 50 ms the event loop may be held.
    const db = new HistoryDb(raw, path, { readOnly, budgetMs: options.chunkBudgetMs ?? 10, logger })
    return new HistoryStore(db, path, options)
  }

  // ---------------------------------------------------------------- writing

  /**
   * Stores one sync: a sample for each room whose summary changed (rooms that had members and are
   * no longer listed drop to 0), sessions closed for leaves and opened for joins, and the tick's
   * total. Ticks are applied in the order given; a tick at or before the previous one is moved 1 ms
   * after it. A huge tick (a first sync of a million members) is written in chunks, yielding to the
   * event loop between them; if the process dies midway, the next open undoes the partial tick.
   *
   * A `baseline` tick (a fresh reading) continues the open session of everyone it finds and ends the
   * others. After a gap, sessions end when their member was last seen (marked "left during a gap"),
   * and those first seen begin marked as already present (see schema.ts).
   */
  recordTick(tick: HistoryTick): Promise<void> {
    if (!Number.isFinite(tick.at)) return Promise.reject(new TypeError('tick.at must be a time in ms'))
    return this.write((writer) => writer.writeTick(tick))
  }

  /** A span with no data (a failed poll): queries give `null` across it, never 0. Empty spans are ignored. */
  recordGap(gap: HistoryGap): Promise<void> {
    if (!Number.isFinite(gap.from) || !Number.isFinite(gap.to))
      return Promise.reject(new TypeError('gap.from and gap.to must be times in ms'))
    if (gap.to <= gap.from) return Promise.resolve()
    return this.write((writer) => writer.writeGap(gap))
  }

  recordError(error: HistoryError): Promise<void> {
    return this.write((writer) => writer.writeError(error))
  }

  /**
   * Syncing stopped at `at`, for `cause`: from then until the next tick is a gap with that cause.
   * Sessions stay open (whether their members stay is unknown, not a leave); the next tick, a fresh
   * reading, continues those still present and ends the others. Kept in the file, so a restart (or a
   * crash before the next tick) still closes the same gap.
   */
  recordSyncStopped(at: number, cause: GapCause, detail: string = GAP_CAUSE_TITLES[cause]): Promise<void> {
    return this.write((writer) => writer.syncStopped(at, cause, detail))
  }

  /**
   * How the app is read from `at` on (naming convention, sync mode, broadcasting): a change from what
   * the history last recorded is an event, and a new convention makes the next tick a new reading.
   */
  recordSetup(at: number, setup: HistorySetup): Promise<void> {
    return this.write((writer) => writer.writeSetup(at, setup))
  }

  /** Records that an alert rule fired (queued with the ticks); resolves to its log entry once stored. */
  recordAlertFired(firing: AlertFiring): Promise<AlertEntry> {
    return this.write(() => this.alertLog.fire(firing))
  }

  /** Writes an alert's resolution; resolves to the entry, or null when it was not open. */
  recordAlertResolved(id: number, at: number, resolution: string): Promise<AlertEntry | null> {
    return this.write(() => this.alertLog.resolve(id, at, resolution))
  }

  /** Forgets resolved alerts that ended before `before`. */
  pruneAlertLog(before: number): Promise<number> {
    return this.write(() => this.alertLog.prune(before))
  }

  /** Resolves once every write queued so far is on disk. */
  flush(): Promise<void> {
    return this.queue.idle()
  }

  setRetention(policy: Partial<RetentionPolicy>): void {
    this.retention.setPolicy(policy)
  }

  getRetention(): RetentionPolicy {
    return this.retention.policy()
  }

  /**
   * Rolls raw samples older than the raw retention into 1-minute roll-ups, then deletes them (keeping
   * each room's last value before the cut, which is where later data starts from), deletes closed
   * sessions as old, and roll-ups, gaps and errors older than the roll-up retention. Queued with the
   * writes and chunked like them; call it every few minutes.
   */
  applyRetention(now: number = this.now()): Promise<RetentionReport> {
    return this.write(() => this.retention.apply(now))
  }

  /** Waits for queued writes, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.idle()
    await this.db.close()
  }

  private write<T>(task: (writer: HistoryWriter) => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The history store is closed'))
    const writer = this.writer
    if (!writer) return Promise.reject(new Error('The history store is open read-only'))
    const result = this.queue.run(async () => {
      await this.db.catchUp()
      return task(writer)
    })
    void result.then(
      () => this.db.afterCommit(),
      () => undefined,
    )
    // Callers may fire and forget (a sync loop's gap callback): a failure is logged, never unhandled.
    result.catch((error: unknown) => this.logger.error('History write failed', error))
    return result
  }

  // ---------------------------------------------------------------- reading

  /**
   * Series for rooms (and the total) over [from, to), at most `points` points each: every change
   * when they fit, else min/max buckets (see downsample.ts). Ranges older than the raw retention
   * read the 1-minute roll-ups. Unknown rooms give an empty series.
   */
  querySeries(query: SeriesQuery): Series[] {
    return this.series.querySeries(query)
  }

  /** A room's count with its per-group counts, at most `points` points, for a stacked chart. */
  roomGroupSeries(query: { room: string; from: number; to: number; points: number }): GroupSeries {
    return this.series.roomGroupSeries(query)
  }

  /**
   * The step sequence of a room over [from, to), gaps included, read page by page: what the CSV
   * export streams. `null` for a room the history has never seen.
   */
  occupancySteps(room: string, from: number, to: number): Iterable<Step> | null {
    return this.series.occupancySteps(room, from, to)
  }

  /** The total's step sequence over [from, to), gaps included. */
  totalOccupancySteps(from: number, to: number): Iterable<Step> {
    return this.series.totalOccupancySteps(from, to)
  }

  /** Stored changes of these rooms within [from, to) (an export's row estimate at raw resolution). */
  countSamples(rooms: readonly string[], from: number, to: number): number {
    return this.series.countSamples(rooms, from, to)
  }

  /** Ticks within [from, to) (an export's row estimate for the total at raw resolution). */
  countTicks(from: number, to: number): number {
    return this.series.countTicks(from, to)
  }

  /** Known rooms (sorted) with their latest count. */
  rooms(): KnownRoom[] {
    return this.catalog.rooms()
  }

  /** Every group seen in these rooms, sorted. */
  groupNames(rooms: readonly string[]): string[] {
    return this.catalog.groupNames(rooms)
  }

  /** Gaps overlapping [from, to), merged where one cause continues, each with its cause in words. */
  gaps(from: number, to: number): Required<HistoryGap>[] {
    return this.catalog.gaps(from, to)
  }

  /** Events (convention, sync mode, broadcasting changed) within [from, to), oldest first. */
  events(from: number, to: number): HistoryEvent[] {
    return this.catalog.events(from, to)
  }

  /** Gaps and events over [from, to), as marks for a time chart. */
  annotations(from: number, to: number): Annotations {
    return {
      spans: this.gaps(from, to).map((gap) => ({
        from: gap.from,
        to: gap.to,
        kind: 'gap' as const,
        label: GAP_CAUSE_TITLES[gap.cause],
        detail: gap.reason,
      })),
      instants: this.events(from, to).map((event) => ({
        t: event.at,
        kind: event.kind,
        label: event.label,
        detail: event.detail,
      })),
    }
  }

  /** When each group of the room first appeared (ms): before that, its count is unknown, not 0. */
  groupsFirstSeen(room: string): Map<string, number> {
    return this.catalog.groupsFirstSeen(room)
  }

  errors(from: number, to: number, limit = 100): HistoryError[] {
    return this.catalog.errors(from, to, limit)
  }

  /** The alert log, newest first, `limit` entries older than the entry `before`. */
  alertEntries(limit: number, before?: number): AlertEntry[] {
    return this.alertLog.entries(limit, before)
  }

  /** Alerts fired and not resolved: those a crash or a stop left open, for the alert engine to take up again. */
  openAlerts(): AlertEntry[] {
    return this.alertLog.open()
  }

  /** Sessions, most recent joins first, filtered and paged. */
  sessions(query: SessionsQuery = {}): SessionsPage {
    return this.sessionReader.sessions(query)
  }

  /** Members present in a room (open sessions), by user id; `search` is a case-insensitive substring. */
  openSessions(room: string, options: { search?: string; offset?: number; limit?: number } = {}): Session[] {
    return this.sessionReader.openSessions(room, options)
  }

  /**
   * When the open sessions of these members of a room began (see `memberKey` for the keys), and
   * whether that is when they joined or when they were first seen after a gap.
   */
  openSessionStarts(
    room: string,
    members: readonly { user: string; group: string | null }[],
  ): Map<string, { joined: number; joinNote: JoinNote | null }> {
    return this.sessionReader.openSessionStarts(room, members)
  }

  /** A page of the open sessions, in index order (see SessionReader.openSessionsPage). */
  openSessionsPage(after: OpenSessionStart | null, limit: number): OpenSessionStart[] {
    return this.sessionReader.openSessionsPage(after, limit)
  }

  /** Members not yet known to have left, as of the latest tick. */
  openSessionCount(): number {
    return this.sessionReader.openSessionCount()
  }

  /**
   * Sessions for export, oldest join first per room (rooms in name order), page by page: those of
   * `rooms` (all rooms when omitted) that were open at some time in [from, to).
   */
  iterateSessions(range: SessionRange = {}): Generator<Session> {
    return this.sessionReader.iterate(range)
  }

  /** Sessions `iterateSessions` would give (an export's row estimate). */
  countSessions(range: SessionRange = {}): number {
    return this.sessionReader.count(range)
  }
}
