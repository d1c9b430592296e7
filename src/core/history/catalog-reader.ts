import { clampInt, type HistoryDb } from './history-db.ts'
import type { RoomIndex } from './room-index.ts'
import { mergeGaps, parseGroups, type GapRow } from './steps.ts'
import type { HistoryError, KnownRoom } from './types.ts'

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

  /** Gaps overlapping [from, to), merged. */
  gaps(from: number, to: number): GapRow[] {
    const rows = this.db
      .statement(
        'SELECT from_t AS "from", to_t AS "to", reason FROM gaps WHERE to_t > ? AND from_t < ? ORDER BY from_t',
      )
      .all(from, to) as unknown as GapRow[]
    return mergeGaps(rows, from, to)
  }

  /** Errors within [from, to), newest first. */
  errors(from: number, to: number, limit = 100): HistoryError[] {
    const rows = this.db
      .statement('SELECT t, kind, message FROM errors WHERE t >= ? AND t < ? ORDER BY t DESC LIMIT ?')
      .all(from, to, clampInt(limit, 1, 10_000)) as { t: number; kind: string; message: string }[]
    return rows.map((row) => ({ at: row.t, kind: row.kind, message: row.message }))
  }
}
