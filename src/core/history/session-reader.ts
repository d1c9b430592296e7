import { clampInt, type HistoryDb } from './history-db.ts'
import type { RoomIndex } from './room-index.ts'
import type { JoinNote, LeaveNote, Session, SessionsPage, SessionsQuery } from './types.ts'

/** Rows read per query when iterating, so an export of millions of sessions never holds them all. */
const PAGE = 5_000

export interface SessionRange {
  /** Every known room when omitted. */
  rooms?: readonly string[]
  /** Sessions that were open at some time in [from, to). */
  from?: number
  to?: number
}

/** Presence sessions: who was in which room from when to when. */
export class SessionReader {
  private readonly db: HistoryDb
  private readonly index: RoomIndex
  private readonly roomNames: () => string[]

  constructor(db: HistoryDb, index: RoomIndex, roomNames: () => string[]) {
    this.db = db
    this.index = index
    this.roomNames = roomNames
  }

  /** Sessions, most recent joins first, filtered and paged. */
  sessions(query: SessionsQuery = {}): SessionsPage {
    const limit = clampInt(query.limit ?? 100, 1, 10_000)
    const offset = clampInt(query.offset ?? 0, 0, Number.MAX_SAFE_INTEGER)
    const where: string[] = []
    const params: (number | string)[] = []
    if (query.room !== undefined) {
      const id = this.index.idOf(query.room)
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
    const sql = `SELECT s.id, r.name AS room, s.user, s.grp, s.joined, s.left, s.join_note, s.leave_note FROM sessions s JOIN rooms r ON r.id = s.room_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`
    const rows = this.db.statement(sql).all(...params, limit + 1, offset) as unknown as SessionRow[]
    return { sessions: rows.slice(0, limit).map(toSession), more: rows.length > limit }
  }

  /** Members present in a room (open sessions), by user id; `search` is a case-insensitive substring. */
  openSessions(room: string, options: { search?: string; offset?: number; limit?: number } = {}): Session[] {
    const id = this.index.idOf(room)
    if (id === null) return []
    const limit = clampInt(options.limit ?? 100, 1, 10_000)
    const offset = clampInt(options.offset ?? 0, 0, Number.MAX_SAFE_INTEGER)
    const search = options.search ? `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : '%'
    const rows = this.db
      .statement(
        "SELECT s.id, ? AS room, s.user, s.grp, s.joined, s.left, s.join_note, s.leave_note FROM sessions s WHERE s.room_id = ? AND s.left IS NULL AND s.user LIKE ? ESCAPE '\\' ORDER BY s.user, s.grp LIMIT ? OFFSET ?",
      )
      .all(room, id, search, limit, offset) as unknown as SessionRow[]
    return rows.map(toSession)
  }

  /**
   * The open sessions of these members of a room, by `user` and group ('' for none): when each began,
   * and whether that is when they joined or only when they were first seen (after a gap).
   */
  openSessionStarts(
    room: string,
    members: readonly { user: string; group: string | null }[],
  ): Map<string, { joined: number; joinNote: JoinNote | null }> {
    const starts = new Map<string, { joined: number; joinNote: JoinNote | null }>()
    const id = this.index.idOf(room)
    if (id === null) return starts
    const find = this.db.statement(
      'SELECT joined, join_note FROM sessions WHERE room_id = ? AND user = ? AND grp = ? AND left IS NULL',
    )
    for (const member of members) {
      const row = find.get(id, member.user, member.group ?? '') as
        { joined: number; join_note: JoinNote | null } | undefined
      if (row) starts.set(memberKey(member.user, member.group), { joined: row.joined, joinNote: row.join_note })
    }
    return starts
  }

  /**
   * Up to `limit` open sessions in the open-session index's order, after the session `after` (null:
   * from the start): for the engine to learn, after a restart, when the people still present joined.
   * A page reads `limit` rows of the index whatever they hold (a filter on when they began would scan
   * a million rows for a page when few match: 150 ms at a million, in one turn of the event loop).
   */
  openSessionsPage(after: OpenSessionStart | null, limit: number): OpenSessionStart[] {
    const statement = this.db.statement(
      'SELECT s.room_id, r.name, s.user, s.grp, s.joined FROM sessions s JOIN rooms r ON r.id = s.room_id WHERE s.left IS NULL AND (s.room_id, s.user, s.grp) > (?, ?, ?) ORDER BY s.room_id, s.user, s.grp LIMIT ?',
    )
    // Arrays, not objects: read as objects, a million rows in a row had V8 promote most of them to the old
    // generation (see the writer's paging of open sessions).
    statement.setReturnArrays(true)
    return statement.all(after?.[0] ?? -1, after?.[2] ?? '', after?.[3] ?? '', limit) as unknown as OpenSessionStart[]
  }

  /** Members not yet known to have left, as of the latest tick. */
  openSessionCount(): number {
    return (this.db.statement('SELECT count(*) AS n FROM sessions WHERE left IS NULL').get() as { n: number }).n
  }

  /**
   * Sessions for export, oldest join first per room (rooms in name order), page by page: those of
   * `rooms` that were open at some time in [from, to).
   */
  *iterate(range: SessionRange = {}): Generator<Session> {
    const from = range.from ?? Number.MIN_SAFE_INTEGER
    const to = range.to ?? Number.MAX_SAFE_INTEGER
    const page = this.db.statement(
      'SELECT id, ? AS room, user, grp, joined, left, join_note, leave_note FROM sessions WHERE room_id = ? AND joined < ? AND (joined, id) > (?, ?) AND (left IS NULL OR left >= ?) ORDER BY joined, id LIMIT ?',
    )
    for (const name of range.rooms ?? this.roomNames()) {
      const id = this.index.idOf(name)
      if (id === null) continue
      let cursor = { joined: Number.MIN_SAFE_INTEGER, id: 0 }
      for (;;) {
        const rows = page.all(name, id, to, cursor.joined, cursor.id, from, PAGE) as unknown as SessionRow[]
        for (const row of rows) yield toSession(row)
        const last = rows.at(-1)
        if (!last || rows.length < PAGE) break
        cursor = { joined: last.joined, id: last.id }
      }
    }
  }

  /** Sessions `iterate` would give (an export's row estimate). */
  count(range: SessionRange = {}): number {
    const from = range.from ?? Number.MIN_SAFE_INTEGER
    const to = range.to ?? Number.MAX_SAFE_INTEGER
    let count = 0
    for (const name of range.rooms ?? this.roomNames()) {
      const id = this.index.idOf(name)
      if (id === null) continue
      count += (
        this.db
          .statement(
            'SELECT count(*) AS n FROM sessions WHERE room_id = ? AND joined < ? AND (left IS NULL OR left >= ?)',
          )
          .get(id, to, from) as { n: number }
      ).n
    }
    return count
  }
}

/** An open session as openSessionsPage reads it: room id, room name, user, group, when it began. */
export type OpenSessionStart = [roomId: number, room: string, user: string, grp: string, joined: number]

interface SessionRow {
  id: number
  room: string
  user: string
  grp: string
  joined: number
  left: number | null
  join_note: JoinNote | null
  leave_note: LeaveNote | null
}

/** How openSessionStarts keys its answer. */
export function memberKey(user: string, group: string | null): string {
  return `${group ?? ''}\u0000${user}`
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    room: row.room,
    user: row.user,
    group: row.grp === '' ? null : row.grp,
    joined: row.joined,
    left: row.left,
    joinNote: row.join_note,
    leaveNote: row.leave_note,
  }
}
