// One sync's joins and leaves, room by room, with each room's size after them: what adaptive precision
// learns churn from and what vanilla presence would have delivered for the same sync.
import { joinsOf } from '../presence/joins.ts'
import type { IngestResult } from '../presence/types.ts'

export interface RoomChurn {
  room: string
  joins: number
  leaves: number
  /** Members after the sync; null: the room emptied (it is no longer listed). */
  count: number | null
}

/** The rooms that had joins or leaves in `result`. */
export function churnByRoom(result: Pick<IngestResult, 'joins' | 'joinedMembers' | 'leaves' | 'rooms'>): RoomChurn[] {
  const changes = new Map<string, RoomChurn>()
  const touch = (room: string) => {
    let entry = changes.get(room)
    if (entry === undefined) {
      entry = { room, joins: 0, leaves: 0, count: null }
      changes.set(room, entry)
    }
    return entry
  }
  for (const member of joinsOf(result)) touch(member.room).joins++
  for (const member of result.leaves) touch(member.room).leaves++
  for (const summary of result.rooms) {
    const entry = changes.get(summary.room)
    if (entry !== undefined) entry.count = summary.count
  }
  return [...changes.values()]
}
