import type { HistoryDb } from './history-db.ts'
import type { RoomIndex } from './room-index.ts'
import { rollUp } from './rollup.ts'
import { MINUTE_MS, sampleSteps, type SampleRow } from './steps.ts'
import type { RetentionPolicy, RetentionReport } from './types.ts'

const DAY_MS = 86_400_000
/** Roll-ups are computed over windows this long, so one busy room never holds the loop for long. */
const ROLLUP_WINDOW_MS = 3_600_000
/** Retention deletes at most this many rows per step: one busy room's day of samples is one step too many. */
const DELETE_BATCH = 2_000

/**
 * Keeps the history bounded: raw samples older than the raw retention become 1-minute roll-ups, and
 * roll-ups, gaps, events and errors older than the roll-up retention go. Runs inside the store's write queue.
 */
export class Retention {
  private readonly db: HistoryDb
  private readonly rooms: RoomIndex
  private current: RetentionPolicy

  constructor(db: HistoryDb, rooms: RoomIndex, policy: RetentionPolicy) {
    this.db = db
    this.rooms = rooms
    this.current = checkedRetention(policy)
  }

  policy(): RetentionPolicy {
    return { ...this.current }
  }

  setPolicy(policy: Partial<RetentionPolicy>): void {
    this.current = checkedRetention({ ...this.current, ...policy })
  }

  /** See HistoryStore.applyRetention. */
  async apply(now: number): Promise<RetentionReport> {
    const db = this.db
    const rawCut = floorMinute(now - this.current.rawRetentionDays * DAY_MS)
    const rollupCut = floorMinute(now - this.current.rollupRetentionDays * DAY_MS)
    const rawFloor = db.floor('raw_floor')
    const report: RetentionReport = {
      rawFloor: rawFloor ?? rawCut,
      rollupFloor: rollupCut,
      rollupRows: 0,
      deletedSamples: 0,
      deletedSessions: 0,
    }
    const firstTick = (db.statement('SELECT min(t) AS t FROM ticks').get() as { t: number | null }).t
    const rooms = this.rooms.all()
    const rollUpRoom = (roomId: number, from: number, to: number) => this.rollUpRoom(roomId, from, to)
    const rollUpTotal = (from: number, to: number) => this.rollUpTotal(from, to)
    // Deletes dirty many pages per ms of work, and a commit writes them all: quarter-size chunks.
    const budgetMs = db.budgetMs / 4

    // 1. Roll up [floor, cut) for every room and the total. Idempotent (rows are replaced), and the
    //    raw floor moves only once all of it is done, so a crash here loses nothing.
    const start = rawFloor ?? (firstTick === null ? null : floorMinute(firstTick))
    if (start !== null && start < rawCut) {
      const rollWork = function* (): Generator<void> {
        for (let window = start; window < rawCut; window += ROLLUP_WINDOW_MS) {
          const end = Math.min(window + ROLLUP_WINDOW_MS, rawCut)
          for (const room of rooms) {
            report.rollupRows += rollUpRoom(room.id, window, end)
            yield
          }
          report.rollupRows += rollUpTotal(window, end)
          yield
        }
        db.setMeta('raw_floor', String(rawCut))
      }
      await db.runInChunks(rollWork(), budgetMs)
      report.rawFloor = rawCut
    }

    // 2. Delete raw data under the floor, keeping each series' last value before it.
    const floor = db.floor('raw_floor')
    if (floor !== null) {
      const sessionCut = rawCut
      const deleteWork = function* (): Generator<void> {
        for (const room of rooms) {
          const keep = db
            .statement('SELECT max(t) AS t FROM samples WHERE room_id = ? AND t <= ?')
            .get(room.id, floor) as { t: number | null }
          if (keep.t !== null) {
            // Samples have no rowid: delete up to the time of the batch's last row, then go on.
            const boundary = db.statement(
              'SELECT t FROM samples WHERE room_id = ? AND t < ? ORDER BY t LIMIT 1 OFFSET ?',
            )
            const deleteBefore = db.statement('DELETE FROM samples WHERE room_id = ? AND t < ?')
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
        const keepTick = db.statement('SELECT max(t) AS t FROM ticks WHERE t <= ?').get(floor) as { t: number | null }
        if (keepTick.t !== null) {
          const deleteTicks = db.statement(
            'DELETE FROM ticks WHERE rowid IN (SELECT rowid FROM ticks WHERE t < ? LIMIT ?)',
          )
          while (Number(deleteTicks.run(keepTick.t, DELETE_BATCH).changes) === DELETE_BATCH) yield
        }
        yield
        // Session ids grow with their join time: walk from the oldest and stop at the first that
        // joined after the cut (nothing later can have left before it).
        let cursor = 0
        for (;;) {
          const page = db
            .statement('SELECT id, joined, left FROM sessions WHERE id > ? ORDER BY id LIMIT 1000')
            .all(cursor) as { id: number; joined: number; left: number | null }[]
          const stale = page.filter((session) => session.left !== null && session.left < sessionCut)
          for (const session of stale) db.statement('DELETE FROM sessions WHERE id = ?').run(session.id)
          report.deletedSessions += stale.length
          yield
          const last = page.at(-1)
          if (!last || page.length < 1000 || last.joined >= sessionCut) break
          cursor = last.id
        }
      }
      await db.runInChunks(deleteWork(), budgetMs)
    }

    // 3. Roll-ups, gaps and errors older than the roll-up retention.
    const expireWork = function* (): Generator<void> {
      for (const room of rooms) {
        const keep = db
          .statement('SELECT max(minute) AS m FROM rollups WHERE room_id = ? AND minute <= ?')
          .get(room.id, rollupCut) as { m: number | null }
        if (keep.m !== null) db.statement('DELETE FROM rollups WHERE room_id = ? AND minute < ?').run(room.id, keep.m)
        yield
      }
      const keepTotal = db.statement('SELECT max(minute) AS m FROM total_rollups WHERE minute <= ?').get(rollupCut) as {
        m: number | null
      }
      if (keepTotal.m !== null) db.statement('DELETE FROM total_rollups WHERE minute < ?').run(keepTotal.m)
      db.statement('DELETE FROM gaps WHERE to_t <= ?').run(rollupCut)
      db.statement('DELETE FROM events WHERE t < ?').run(rollupCut)
      db.statement('DELETE FROM errors WHERE t < ?').run(rollupCut)
      if ((db.floor('rollup_floor') ?? -Infinity) < rollupCut) db.setMeta('rollup_floor', String(rollupCut))
    }
    await db.runInChunks(expireWork(), budgetMs)
    return report
  }

  private rollUpRoom(roomId: number, from: number, to: number): number {
    const samples = this.db
      .statement('SELECT t, count, groups FROM samples WHERE room_id = ? AND t > ? AND t < ? ORDER BY t')
      .all(roomId, from, to) as unknown as SampleRow[]
    const before = this.db
      .statement('SELECT t, count, groups FROM samples WHERE room_id = ? AND t <= ? ORDER BY t DESC LIMIT 1')
      .get(roomId, from) as SampleRow | undefined
    // Nothing changed in the window (and no sample sits right on its start): no row to write.
    if (samples.length === 0 && before?.t !== from) return 0
    const rows = rollUp(sampleSteps(before, samples, from), from, to)
    const insert = this.db.statement(
      'INSERT OR REPLACE INTO rollups (room_id, minute, min, max, avg, last, last_groups) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    for (const row of rows) insert.run(roomId, row.minute, row.min, row.max, row.avg, row.last, row.groups ?? '{}')
    return rows.length
  }

  private rollUpTotal(from: number, to: number): number {
    const ticks = this.db
      .statement('SELECT t, total AS count FROM ticks WHERE t > ? AND t < ? ORDER BY t')
      .all(from, to) as unknown as SampleRow[]
    const before = this.db
      .statement('SELECT t, total AS count FROM ticks WHERE t <= ? ORDER BY t DESC LIMIT 1')
      .get(from) as SampleRow | undefined
    if (ticks.length === 0 && before?.t !== from) return 0
    const rows = rollUp(sampleSteps(before, ticks, from), from, to)
    const insert = this.db.statement(
      'INSERT OR REPLACE INTO total_rollups (minute, min, max, avg, last) VALUES (?, ?, ?, ?, ?)',
    )
    for (const row of rows) insert.run(row.minute, row.min, row.max, row.avg, row.last)
    return rows.length
  }
}

function checkedRetention(policy: RetentionPolicy): RetentionPolicy {
  const { rawRetentionDays, rollupRetentionDays } = policy
  if (!(rawRetentionDays > 0) || !(rollupRetentionDays > 0))
    throw new RangeError('Retention must be a positive number of days')
  // Roll-ups are made from raw samples as they expire, so they cannot be kept for less time.
  return { rawRetentionDays, rollupRetentionDays: Math.max(rollupRetentionDays, rawRetentionDays) }
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS
}
