import type { KnownRoomView } from '../../../shared/history.ts'
import type { RoomSummaryView } from '../../../shared/presence.ts'

/** A room the export view offers: present now with its count, or emptied (in the history, no one now). */
export type RoomChoice =
  { room: string; present: true; count: number } | { room: string; present: false; emptiedAt: number | null }

/**
 * The rooms to choose from for an export: those present now, busiest first, then (when asked for)
 * those the history knows that have emptied, by name; filtered by a case-insensitive search.
 */
export function exportRoomChoices(
  live: Iterable<RoomSummaryView>,
  known: readonly KnownRoomView[] | null,
  search: string,
  includeEmptied: boolean,
): RoomChoice[] {
  const needle = search.trim().toLowerCase()
  const matches = (room: string) => !needle || room.toLowerCase().includes(needle)
  const present: RoomChoice[] = []
  const presentNames = new Set<string>()
  for (const summary of live) {
    presentNames.add(summary.room)
    if (summary.count > 0 && matches(summary.room))
      present.push({ room: summary.room, present: true, count: summary.count })
  }
  present.sort((a, b) => (b as { count: number }).count - (a as { count: number }).count || (a.room < b.room ? -1 : 1))
  if (!includeEmptied || !known) return present
  const emptied: RoomChoice[] = []
  for (const room of known) {
    if (presentNames.has(room.room) || !matches(room.room)) continue
    emptied.push({ room: room.room, present: false, emptiedAt: room.count === 0 ? room.changedAt : null })
  }
  emptied.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0))
  return [...present, ...emptied]
}
