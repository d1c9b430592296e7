import { clampInt, type HistoryDb } from './history-db.ts'
import type { RoomIndex } from './room-index.ts'
import type { GapCause, InstantKind } from '../../shared/history.ts'
import { gapWords, mergeGaps, parseGroups, type GapRow } from './steps.ts'
import type { HistoryError, HistoryEvent, KnownRoom } from './types.ts'

/** What the history knows of besides counts: its rooms and their groups, its gaps and its errors. */
export class CatalogReader {
  private readonly db: HistoryDb
  private readonly index: RoomIndex

  constructor(db: HistoryDb, index: RoomIndex) {
    this.db = db
    this.index = index
  }

  /** Known rooms (sorted) with their latest count. */
  rooms(): KnownRoom[] {
    const rows = this.db
      .statement(
        'SELECT r.name, s.count, s.groups, s.t FROM rooms r LEFT JOIN samples s ON s.room_id = r.id AND s.t = (SELECT max(t) FROM samples WHERE room_id = r.id) ORDER BY r.name',
      )
      .all() as { name: string; count: number | null; groups: string | null; t: number | null }[]
    return rows.map((row) => ({
      room: row.name,
      count: row.count ?? 0,
      groups: parseGroups(row.groups),
      changedAt: row.t,
    }))
  }

  /** Every group seen in these rooms, sorted. */
  groupNames(rooms: readonly string[]): string[] {
    const names = new Set<string>()
    for (const room of rooms) {
      const id = this.index.idOf(room)
      if (id === null) continue
      for (const row of this.db.statement('SELECT name FROM room_groups WHERE room_id = ?').all(id) as {
        name: string
      }[])
        names.add(row.name)
    }
    return [...names].sort()
  }

  /** Gaps overlapping [from, to), merged where one cause continues, each with its cause in words. */
  gaps(from: number, to: number): GapRow[] {
    const rows = this.db
      .statement(
        'SELECT from_t AS "from", to_t AS "to", reason, kind FROM gaps WHERE to_t > ? AND from_t < ? ORDER BY from_t',
      )
      .all(from, to) as { from: number; to: number; reason: string; kind: GapCause }[]
    return mergeGaps(
      rows.map((row) => ({ from: row.from, to: row.to, cause: row.kind, reason: gapWords(row.kind, row.reason) })),
      from,
      to,
    )
  }

  /** Events within [from, to), oldest first. */
  events(from: number, to: number, limit = 1000): HistoryEvent[] {
    const rows = this.db
      .statement('SELECT t, kind, label, detail FROM events WHERE t >= ? AND t < ? ORDER BY t, id LIMIT ?')
      .all(from, to, clampInt(limit, 1, 10_000)) as { t: number; kind: InstantKind; label: string; detail: string }[]
    return rows.map((row) => ({ at: row.t, kind: row.kind, label: row.label, detail: row.detail }))
  }

  /** When each group of the room first appeared (ms): before that, its count is unknown, not 0. */
  groupsFirstSeen(room: string): Map<string, number> {
    const id = this.index.idOf(room)
    const seen = new Map<string, number>()
    if (id === null) return seen
    for (const row of this.db.statement('SELECT name, first_seen FROM room_groups WHERE room_id = ?').all(id) as {
      name: string
      first_seen: number | null
    }[])
      seen.set(row.name, row.first_seen ?? Number.MIN_SAFE_INTEGER)
    return seen
  }

  /** Errors within [from, to), newest first. */
  errors(from: number, to: number, limit = 100): HistoryError[] {
    const rows = this.db
      .statement('SELECT t, kind, message FROM errors WHERE t >= ? AND t < ? ORDER BY t DESC LIMIT ?')
      .all(from, to, clampInt(limit, 1, 10_000)) as { t: number; kind: string; message: string }[]
    return rows.map((row) => ({ at: row.t, kind: row.kind, message: row.message }))
  }
}
