import type { GapCause } from '../../shared/history.ts'
import { conventionLabel } from '../../shared/naming.ts'
import type { JoinedMembers, Member } from '../presence/types.ts'
import { BULK_WRITE_CACHE_KIB, CACHE_KIB, type HistoryDb } from './history-db.ts'
import { inIndexOrder } from './member-order.ts'
import type { RoomIndex, RoomState } from './room-index.ts'
import type { HistoryError, HistoryEvent, HistoryGap, HistorySetup, HistoryTick, JoinNote, LeaveNote } from './types.ts'

/** Headcount's own downtime, open until the next tick: from when it stopped, and why. */
interface PendingGap {
  from: number
  cause: GapCause
  detail: string
}

/** Open sessions read per step while a fresh reading is reconciled with them. */
const OPEN_PAGE = 500

/**
 * The history's writes, and the recovery that makes a killed process's half-written tick disappear.
 * Every method here runs inside the store's write queue, one at a time.
 *
 * How a tick survives a crash: a big tick is committed in several chunks, and only its last chunk
 * inserts the `ticks` row and moves `committed_session_id` in `meta`. On the next open, samples after
 * the last tick and sessions after the commit mark belong to a tick that never finished: they are
 * deleted, and sessions it closed are open again, so the file reads as if that tick never came.
 *
 * What history promises (DESIGN §5a): Headcount's own interruptions are gaps with a cause, never leaves
 * and joins. Stopping leaves sessions open and notes a pending gap (in `meta`, so a crash or a restart
 * finds it); the first tick after it is a fresh reading that continues the sessions of everyone still
 * there and ends the others when they were last seen, marked as having left during the gap.
 */
export class HistoryWriter {
  private readonly db: HistoryDb
  private readonly rooms: RoomIndex
  private lastTickAt: number | null
  private pendingGap: PendingGap | null = null
  /** A gap was recorded since the last tick: the changes the next tick brings happened during it. */
  private gapSinceTick = false
  /** The naming convention changed since the last tick: its sessions are read anew. */
  private rereading = false

  constructor(db: HistoryDb, rooms: RoomIndex) {
    this.db = db
    this.rooms = rooms
    this.lastTickAt = db.lastTick()
  }

  /** See HistoryStore.recordTick. */
  async writeTick(tick: HistoryTick): Promise<void> {
    const rounded = Math.round(tick.at)
    const at = this.lastTickAt !== null && rounded <= this.lastTickAt ? this.lastTickAt + 1 : rounded
    const pending = this.pendingGap
    const afterGap = pending !== null || this.gapSinceTick
    const rereading = this.rereading
    const baseline = tick.baseline === true
    // When those gone were last seen: the last tick before the gap (or this one, when nothing came before).
    const lastSeen = this.lastTickAt ?? at
    const joinNote: JoinNote | null = rereading ? 'convention' : baseline || afterGap ? 'resumed' : null
    const leaveNote: LeaveNote | null = rereading ? 'convention' : afterGap ? 'gap' : null
    const leftAt = afterGap ? lastSeen : at
    const db = this.db
    const rooms = this.rooms
    const openSession = db.statement(
      'INSERT OR IGNORE INTO sessions (room_id, user, grp, joined, join_note) VALUES (?, ?, ?, ?, ?)',
    )
    const closeSession = db.statement(
      'UPDATE sessions SET left = max(?, joined), leave_note = ? WHERE room_id = ? AND user = ? AND grp = ? AND left IS NULL',
    )
    const closeById = db.statement('UPDATE sessions SET left = max(?, joined), leave_note = ? WHERE id = ?')
    const leaves = baseline ? [] : await inIndexOrder(tick.leaves)
    const joined = tick.joins
    const streamed = isJoinedMembers(joined)
    const joins = streamed ? await joined.sorted() : await inIndexOrder(joined)
    // A fresh reading asks of every open session whether its member is among the joins.
    let present: ((room: string, group: string, user: string) => boolean) | null = null
    if (baseline && streamed) present = (room, group, user) => joined.has(room, group, user)
    else if (baseline && !streamed) {
      const index = presentIndex(joined)
      present = (room, group, user) => index.get(room)?.get(group)?.has(user) === true
    }
    const roomNames = baseline ? new Map(rooms.all().map((room) => [room.id, room.name])) : null
    const writeSample = (room: RoomState, count: number, groups: Record<string, number>) =>
      this.writeSample(room, at, count, groups)
    function* work(): Generator<void> {
      // Marks the tick as begun, so that recovery knows to reopen what a half-written one closed.
      db.setMeta('tick_in_progress', String(at))
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
      if (present && roomNames) {
        // A fresh reading: open sessions of members no longer present end; the others go on.
        const page = db.statement(
          'SELECT id, room_id, user, grp FROM sessions WHERE left IS NULL AND (room_id, user, grp) > (?, ?, ?) ORDER BY room_id, user, grp LIMIT ?',
        )
        // Rows as arrays: read as objects, a re-reading of a million open sessions (a restart, a changed
        // setting) had V8 promote most of them to the old generation, some 50 MB of garbage at its peak.
        page.setReturnArrays(true)
        let cursor: OpenRow = [0, -1, '', '']
        for (;;) {
          const rows = page.all(cursor[1], cursor[2], cursor[3], OPEN_PAGE) as unknown as OpenRow[]
          // A step per session, as everywhere here: the chunk's clock is read every 32 steps, and 32
          // pages of sessions held the event loop for 40-60 ms at a million.
          for (const [id, room, user, grp] of rows) {
            const name = roomNames.get(room)
            if (name === undefined || !present(name, grp, user)) closeById.run(leftAt, leaveNote, id)
            yield
          }
          const last = rows.at(-1)
          if (!last || rows.length < OPEN_PAGE) break
          cursor = last
        }
      }
      // Leaves first: a member who changed group leaves one session and joins another in one tick.
      for (const member of leaves) {
        closeSession.run(leftAt, leaveNote, rooms.get(member.room).id, member.user, member.group ?? '')
        yield
      }
      // A member whose session is open already (present before a gap, still present) keeps it.
      for (const member of joins) {
        openSession.run(rooms.get(member.room).id, member.user, member.group ?? '', at, joinNote)
        yield
      }
      if (pending && pending.from < at) {
        db.statement('INSERT INTO gaps (from_t, to_t, reason, kind) VALUES (?, ?, ?, ?)').run(
          pending.from,
          at,
          pending.detail.slice(0, 500),
          pending.cause,
        )
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
      db.statement("DELETE FROM meta WHERE key IN ('tick_in_progress', 'pending_gap', 'rereading')").run()
    }
    const bulk = (streamed ? joined.count : joined.length) >= BULK_WRITE_JOINS
    if (bulk) db.setCacheKib(BULK_WRITE_CACHE_KIB)
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
    } finally {
      if (bulk) db.setCacheKib(CACHE_KIB)
    }
    this.lastTickAt = at
    this.pendingGap = null
    this.gapSinceTick = false
    this.rereading = false
  }

  writeGap(gap: HistoryGap): void {
    const from = Math.round(gap.from)
    const to = Math.round(gap.to)
    const insert = this.db.statement('INSERT INTO gaps (from_t, to_t, reason, kind) VALUES (?, ?, ?, ?)')
    const pending = this.pendingGap
    // Headcount's own downtime ends where this gap (a sync failing since it started again) begins.
    if (pending && pending.from < to) {
      if (pending.from < from) insert.run(pending.from, from, pending.detail.slice(0, 500), pending.cause)
      this.pendingGap = null
      this.db.statement("DELETE FROM meta WHERE key = 'pending_gap'").run()
    }
    insert.run(from, to, String(gap.reason).slice(0, 500), gap.cause ?? 'sync-failed')
    if (this.lastTickAt === null || to > this.lastTickAt) this.gapSinceTick = true
  }

  writeError(error: HistoryError): void {
    this.db
      .statement('INSERT INTO errors (t, kind, message) VALUES (?, ?, ?)')
      .run(Math.round(error.at), String(error.kind).slice(0, 100), String(error.message).slice(0, 2000))
  }

  writeEvent(event: HistoryEvent): void {
    this.db
      .statement('INSERT INTO events (t, kind, label, detail) VALUES (?, ?, ?, ?)')
      .run(Math.round(event.at), event.kind, event.label.slice(0, 200), event.detail.slice(0, 1000))
  }

  /**
   * How the app is read from `at` on. A change from what was recorded before (the naming convention,
   * the sync mode, broadcasting) becomes an event; a new convention also makes the next tick a new
   * reading of everyone, so sessions it changes end and begin with the cause "convention changed".
   */
  writeSetup(at: number, setup: HistorySetup): void {
    const time = Math.round(at)
    const db = this.db
    const before = {
      convention: db.metaValue('setup_convention'),
      syncMode: db.metaValue('setup_sync_mode'),
      broadcasting: db.metaValue('setup_broadcasting'),
    }
    const convention = JSON.stringify(setup.convention)
    if (before.convention !== null && before.convention !== convention) {
      const previous = describeStoredConvention(before.convention)
      this.writeEvent({
        at: time,
        kind: 'convention',
        label: 'Naming convention changed',
        detail: `${previous} → ${conventionLabel(setup.convention)}`,
      })
      db.setMeta('rereading', '1')
      this.rereading = true
    }
    if (before.syncMode !== null && before.syncMode !== setup.syncMode) {
      this.writeEvent({
        at: time,
        kind: 'sync-mode',
        label: 'Sync mode changed',
        detail: `${before.syncMode} → ${setup.syncMode}`,
      })
    }
    const broadcasting = setup.broadcasting ? 'on' : 'off'
    if (before.broadcasting !== null && before.broadcasting !== broadcasting) {
      this.writeEvent({ at: time, kind: 'broadcast', label: `Broadcasting ${broadcasting}`, detail: '' })
    }
    db.setMeta('setup_convention', convention)
    db.setMeta('setup_sync_mode', setup.syncMode)
    db.setMeta('setup_broadcasting', broadcasting)
  }

  /**
   * See HistoryStore.recordSyncStopped. Open sessions stay open: whether their members stayed is
   * unknown until the next tick. Kept in `meta`, so that the next run (after a restart, or a crash before
   * its first tick) closes the same gap.
   */
  syncStopped(at: number, cause: GapCause, detail: string): void {
    if (this.pendingGap !== null) return
    const from = Math.max(Math.round(at), this.lastTickAt ?? -Infinity)
    if (this.lastTickAt === null) return
    this.pendingGap = { from, cause, detail }
    this.db.setMeta('pending_gap', JSON.stringify(this.pendingGap))
  }

  /** Undoes whatever a killed process left half-written; runs once, before any new tick. */
  async recover(): Promise<void> {
    await this.undoPartialTick()
    this.lastTickAt = this.db.lastTick()
    this.rereading = this.db.metaValue('rereading') !== null
    const stored = parsePendingGap(this.db.metaValue('pending_gap'))
    if (stored) {
      this.pendingGap = stored
      return
    }
    if (this.lastTickAt === null) return
    // The previous run ended without stopping: it died (killed, crashed, the machine lost power).
    // Members present then are not known to have stayed or gone: that is for the next tick to say.
    this.pendingGap = {
      from: this.lastTickAt + 1,
      cause: 'crashed',
      detail: 'Headcount ended without stopping (killed, crashed or the machine went down)',
    }
    this.db.setMeta('pending_gap', JSON.stringify(this.pendingGap))
  }

  private writeSample(room: RoomState, at: number, count: number, groups: Record<string, number>): void {
    const canonical = canonicalGroups(groups)
    this.db
      .statement('INSERT INTO samples (room_id, t, count, groups) VALUES (?, ?, ?, ?)')
      .run(room.id, at, count, JSON.stringify(canonical))
    for (const name of Object.keys(canonical)) {
      if (room.knownGroups.has(name)) continue
      this.db
        .statement('INSERT OR IGNORE INTO room_groups (room_id, name, first_seen) VALUES (?, ?, ?)')
        .run(room.id, name, at)
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
    const inProgress = db.metaValue('tick_in_progress') !== null
    const after = last ?? Number.MIN_SAFE_INTEGER
    const hasLaterSession = db.statement('SELECT 1 FROM sessions WHERE id > ? LIMIT 1').get(committed) !== undefined
    const roomIds = this.rooms.all().map((room) => room.id)
    let changed = hasLaterSession || inProgress
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
      if (inProgress) {
        // Sessions the half-written tick closed: at its own time, or (after a gap) at the last tick
        // with a note. A committed tick never closes a session later than itself, nor with a note at
        // its own time (a note's time is when the member was last seen, before that tick).
        const page = db.statement('SELECT id FROM sessions WHERE id > ? ORDER BY id LIMIT 5000')
        const reopen = db.statement(
          'UPDATE sessions SET left = NULL, leave_note = NULL WHERE id > ? AND id <= ? AND (left > ? OR (left = ? AND leave_note IS NOT NULL))',
        )
        let cursor = 0
        for (;;) {
          const ids = page.all(cursor) as { id: number }[]
          const lastId = ids.at(-1)?.id
          if (lastId === undefined) break
          reopen.run(cursor, lastId, after, after)
          cursor = lastId
          yield
        }
        db.statement("DELETE FROM meta WHERE key = 'tick_in_progress'").run()
      }
      for (const id of roomIds) {
        if (Number(db.statement('DELETE FROM samples WHERE room_id = ? AND t > ?').run(id, after).changes) > 0)
          changed = true
        yield
      }
    }
    await db.runInChunks(work())
    if (changed) this.rooms.load()
  }
}

/** An open session as the paging reads it: id, room id, user, group. */
type OpenRow = [id: number, room: number, user: string, grp: string]

/** Who a fresh reading found, by room, then group ('' for none), then user: for membership tests. */
function presentIndex(members: readonly Member[]): Map<string, Map<string, Set<string>>> {
  const index = new Map<string, Map<string, Set<string>>>()
  for (const member of members) {
    let groups = index.get(member.room)
    if (!groups) {
      groups = new Map()
      index.set(member.room, groups)
    }
    const group = member.group ?? ''
    let users = groups.get(group)
    if (!users) {
      users = new Set()
      groups.set(group, users)
    }
    users.add(member.user)
  }
  return index
}

/** Joins in one tick from which it is written with a small page cache (see BULK_WRITE_CACHE_KIB). */
export const BULK_WRITE_JOINS = 50_000

function isJoinedMembers(joins: readonly Member[] | JoinedMembers): joins is JoinedMembers {
  return 'sorted' in joins
}

function parsePendingGap(json: string | null): PendingGap | null {
  if (json === null) return null
  try {
    const value = JSON.parse(json) as Partial<PendingGap>
    if (typeof value.from !== 'number' || typeof value.cause !== 'string') return null
    return { from: value.from, cause: value.cause, detail: typeof value.detail === 'string' ? value.detail : '' }
  } catch {
    return null
  }
}

function describeStoredConvention(json: string): string {
  try {
    return conventionLabel(JSON.parse(json) as HistorySetup['convention'])
  } catch {
    return 'the previous convention'
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
