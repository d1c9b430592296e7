import type { HistoryDb } from './history-db.ts'
import { parseGroups } from './steps.ts'

/** What the writer remembers of a room between ticks, so an unchanged room costs no query. */
export interface RoomState {
  id: number
  name: string
  /** Latest stored count; -1 before the first. */
  count: number
  groups: Record<string, number>
  knownGroups: Set<string>
}

/**
 * Rooms by name: their ids, and their latest stored summary for the writer to compare against. Loaded
 * from the file when it opens for writing (and again after a partial write is undone); a read-only
 * history leaves it empty and looks ids up in the file.
 */
export class RoomIndex {
  private readonly db: HistoryDb
  private states = new Map<string, RoomState>()

  constructor(db: HistoryDb) {
    this.db = db
  }

  /** The room's state, adding the room to the file the first time its name is seen. */
  get(name: string): RoomState {
    let room = this.states.get(name)
    if (!room) {
      const { id } = this.db.statement('INSERT INTO rooms (name) VALUES (?) RETURNING id').get(name) as { id: number }
      // -1: nothing recorded yet, so a room's first summary is always stored, even a 0.
      room = { id, name, count: -1, groups: {}, knownGroups: new Set() }
      this.states.set(name, room)
    }
    return room
  }

  /** The room's id, or `null` for a room the history has never seen. */
  idOf(name: string): number | null {
    const cached = this.states.get(name)
    if (cached) return cached.id
    const row = this.db.statement('SELECT id FROM rooms WHERE name = ?').get(name) as { id: number } | undefined
    return row?.id ?? null
  }

  all(): RoomState[] {
    return [...this.states.values()]
  }

  /** Reads every room's latest sample and known groups from the file, replacing what was remembered. */
  load(): void {
    const rooms = new Map<string, RoomState>()
    const rows = this.db.raw
      .prepare(
        'SELECT r.id, r.name, s.count, s.groups FROM rooms r LEFT JOIN samples s ON s.room_id = r.id AND s.t = (SELECT max(t) FROM samples WHERE room_id = r.id)',
      )
      .all() as { id: number; name: string; count: number | null; groups: string | null }[]
    for (const row of rows) {
      rooms.set(row.name, {
        id: row.id,
        name: row.name,
        count: row.count ?? -1,
        groups: parseGroups(row.groups),
        knownGroups: new Set(),
      })
    }
    const byId = new Map([...rooms.values()].map((room) => [room.id, room]))
    for (const row of this.db.raw.prepare('SELECT room_id, name FROM room_groups').all() as {
      room_id: number
      name: string
    }[]) {
      byId.get(row.room_id)?.knownGroups.add(row.name)
    }
    this.states = rooms
  }
}
