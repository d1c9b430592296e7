import type { HistoryDb } from './history-db.ts'
import { inIndexOrder } from './member-order.ts'
import type { RoomIndex, RoomState } from './room-index.ts'
import type { HistoryError, HistoryGap, HistoryTick } from './types.ts'

/**
 * The history's writes, and the recovery that makes a killed process's half-written tick disappear.
 * Every method here runs inside the store's write queue, one at a time.
 *
 * How a tick survives a crash: a big tick is committed in several chunks, and only its last chunk
 * inserts the `ticks` row and moves `committed_session_id` in `meta`. On the next open, samples after
 * the last tick and sessions after the commit mark belong to a tick that never finished: they are
 * deleted, so the file reads as if that tick never came.
 */
export class HistoryWriter {
  private readonly db: HistoryDb
  private readonly rooms: RoomIndex
  private lastTickAt: number | null
  /** After a restart or a stop, the next tick records a gap from here: nothing was recorded meanwhile. */
  private resumeGapFrom: number | null = null

  constructor(db: HistoryDb, rooms: RoomIndex) {
    this.db = db
    this.rooms = rooms
    this.lastTickAt = db.lastTick()
  }

  /** See HistoryStore.recordTick. */
  async writeTick(tick: HistoryTick): Promise<void> {
    const rounded = Math.round(tick.at)
    const at = this.lastTickAt !== null && rounded <= this.lastTickAt ? this.lastTickAt + 1 : rounded
    const gapFrom = this.resumeGapFrom
    const db = this.db
    const rooms = this.rooms
    const openSession = db.statement('INSERT OR IGNORE INTO sessions (room_id, user, grp, joined) VALUES (?, ?, ?, ?)')
    const closeSession = db.statement(
      'UPDATE sessions SET left = ? WHERE room_id = ? AND user = ? AND grp = ? AND left IS NULL',
    )
    const leaves = await inIndexOrder(tick.leaves)
    const joins = await inIndexOrder(tick.joins)
    const writeSample = (room: RoomState, count: number, groups: Record<string, number>) =>
      this.writeSample(room, at, count, groups)
    function* work(): Generator<void> {
      if (gapFrom !== null && gapFrom < at) {
        db.statement('INSERT INTO gaps (from_t, to_t, reason) VALUES (?, ?, ?)').run(
          gapFrom,
          at,
          'Headcount was not recording',
        )
      }
      const listed = new Set<string>()
      for (const summary of tick.rooms) {
        listed.add(summary.room)
        const room = rooms.get(summary.room)
        if (room.count === summary.count && sameGroups(room.groups, summary.groups)) continue
        writeSample(room, summary.count, summary.groups)
        yield
      }
      for (const room of rooms.all()) {
        if (listed.has(room.name) || (room.count <= 0 && Object.keys(room.groups).length === 0)) continue
        writeSample(room, 0, {})
        yield
      }
      // Leaves first: a member who changed group leaves one session and joins another in one tick.
      for (const member of leaves) {
        closeSession.run(at, rooms.get(member.room).id, member.user, member.group ?? '')
        yield
      }
      for (const member of joins) {
        openSession.run(rooms.get(member.room).id, member.user, member.group ?? '', at)
        yield
      }
      db.statement('INSERT INTO ticks (t, total, channels, unmatched, rooms) VALUES (?, ?, ?, ?, ?)').run(
        at,
        tick.total,
        tick.channels,
        tick.unmatched,
        tick.rooms.length,
      )
      // The commit mark recovery uses to tell this tick's sessions from a half-written next one.
      db.statement(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('committed_session_id', (SELECT ifnull(max(id), 0) FROM sessions))",
      ).run()
    }
    try {
      await db.runInChunks(work())
    } catch (error) {
      // Part of the tick may be committed: undo it so the file reads as if the tick never came.
      try {
        await this.undoPartialTick()
      } finally {
        this.rooms.load()
      }
      throw error
    }
    this.lastTickAt = at
    this.resumeGapFrom = null
  }

  writeGap(gap: HistoryGap): void {
    this.db
      .statement('INSERT INTO gaps (from_t, to_t, reason) VALUES (?, ?, ?)')
      .run(Math.round(gap.from), Math.round(gap.to), String(gap.reason).slice(0, 500))
  }

  writeError(error: HistoryError): void {
    this.db
      .statement('INSERT INTO errors (t, kind, message) VALUES (?, ?, ?)')
      .run(Math.round(error.at), String(error.kind).slice(0, 100), String(error.message).slice(0, 2000))
  }

  /** See HistoryStore.recordSyncStopped. */
  async syncStopped(at: number): Promise<void> {
    const end = Math.max(Math.round(at), this.lastTickAt ?? -Infinity)
    await this.closeOpenSessions(end)
    this.resumeGapFrom = end
  }

  /** Undoes whatever a killed process left half-written; runs once, before any new tick. */
  async recover(): Promise<void> {
    await this.undoPartialTick()
    const last = this.db.lastTick()
    if (last === null) return
    // Members present when the previous run ended are not known to have stayed: their sessions end at
    // its last tick, and the first sync of this run opens them again.
    await this.closeOpenSessions(last)
    this.resumeGapFrom = last + 1
  }

  private writeSample(room: RoomState, at: number, count: number, groups: Record<string, number>): void {
    const canonical = canonicalGroups(groups)
    this.db
      .statement('INSERT INTO samples (room_id, t, count, groups) VALUES (?, ?, ?, ?)')
      .run(room.id, at, count, JSON.stringify(canonical))
    for (const name of Object.keys(canonical)) {
      if (room.knownGroups.has(name)) continue
      this.db.statement('INSERT OR IGNORE INTO room_groups (room_id, name) VALUES (?, ?)').run(room.id, name)
      room.knownGroups.add(name)
    }
    room.count = count
    room.groups = canonical
  }

  /** Deletes what a tick written in chunks committed before the process died (or the write failed). */
  private async undoPartialTick(): Promise<void> {
    const db = this.db
    const last = db.lastTick()
    const committed = Number(db.metaValue('committed_session_id') ?? 0)
    const after = last ?? Number.MIN_SAFE_INTEGER
    const hasLaterSession = db.statement('SELECT 1 FROM sessions WHERE id > ? LIMIT 1').get(committed) !== undefined
    const roomIds = this.rooms.all().map((room) => room.id)
    let changed = hasLaterSession
    function* work(): Generator<void> {
      while (
        hasLaterSession &&
        Number(
          db
            .statement('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE id > ? LIMIT 2000)')
            .run(committed).changes,
        ) > 0
      )
        yield
      for (const id of roomIds) {
        if (Number(db.statement('DELETE FROM samples WHERE room_id = ? AND t > ?').run(id, after).changes) > 0)
          changed = true
        yield
      }
    }
    await db.runInChunks(work())
    if (changed) this.rooms.load()
  }

  private async closeOpenSessions(at: number): Promise<void> {
    const close = this.db.statement(
      'UPDATE sessions SET left = max(?, joined) WHERE id IN (SELECT id FROM sessions WHERE left IS NULL LIMIT 2000)',
    )
    function* work(): Generator<void> {
      while (Number(close.run(at).changes) > 0) yield
    }
    await this.db.runInChunks(work())
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
