import { RATE_WINDOW_MS, type PresenceEvent, type RoomSummaryView, type TickCounts } from '../../../shared/presence.ts'
import { naturalCompare } from '../../../shared/natural-sort.ts'
import type { AppState } from './app-store.ts'
import type { LiveRooms } from './live-rooms.ts'
import type { RoomsQuery } from './slices/ui-slice.ts'

export type Tone = 'ok' | 'busy' | 'idle' | 'error'

/** Dark or light, resolving `system` from the OS preference. */
export function selectTheme(state: Pick<AppState, 'settings'>, systemPrefersDark: boolean): 'light' | 'dark' {
  const theme = state.settings?.theme ?? 'system'
  if (theme === 'system') return systemPrefersDark ? 'dark' : 'light'
  return theme
}

type LinkFields = Pick<AppState, 'link' | 'status'> & Partial<Pick<AppState, 'linkProblem'>>

/** One line and a tone for the status bar; a dead link to the engine outranks anything it last said. */
export function selectStatusLine(state: LinkFields): { tone: Tone; text: string } {
  if (state.link === 'closed')
    return { tone: 'error', text: state.linkProblem ?? 'Lost contact with the Headcount server; retrying…' }
  if (state.link === 'connecting' || !state.status) return { tone: 'busy', text: 'Starting…' }
  const { connection, message, profile } = state.status
  const prefix = profile ? `${profile}: ` : ''
  switch (connection) {
    case 'connected':
      return { tone: 'ok', text: `${prefix}${message}` }
    case 'connecting':
      return { tone: 'busy', text: `${prefix}${message}` }
    case 'error':
      return { tone: 'error', text: `${prefix}${message}` }
    default:
      return { tone: 'idle', text: message }
  }
}

export function selectSecretWarning(state: Pick<AppState, 'info'>): string | null {
  return state.info?.secretStorage.warning ?? null
}

export interface Freshness {
  /** The figures on screen may no longer be true: the sync (or the link to the engine) is failing. */
  stale: boolean
  /** When the data shown was last known good (engine clock), if ever. */
  lastGoodAt: number | null
  /** What is wrong and what to do, in words. */
  problem: { message: string; hint: string } | null
}

export function selectFreshness(state: LinkFields): Freshness {
  const sync = state.status?.sync ?? null
  const lastGoodAt = sync?.lastSuccessAt ?? null
  if (state.link === 'closed') {
    return {
      stale: true,
      lastGoodAt,
      problem: state.linkProblem
        ? { message: state.linkProblem.replace(/\.$/, ''), hint: '' }
        : {
            message: 'Lost contact with the Headcount server',
            hint: 'Check that it is still running; this page reconnects by itself.',
          },
    }
  }
  if (sync?.state === 'failing') {
    const error = sync.error
    return {
      stale: true,
      lastGoodAt,
      problem: error
        ? { message: error.message, hint: error.hint }
        : { message: 'Sync is failing', hint: 'Headcount keeps retrying.' },
    }
  }
  return { stale: false, lastGoodAt, problem: null }
}

/**
 * Why webhooks are not being received, while the connected profile wants them (webhook or hybrid mode)
 * and its receiver can't listen; null otherwise. Polls stand in meanwhile, so the figures stay true.
 */
export function selectWebhookProblem(state: Pick<AppState, 'link' | 'status'>): string | null {
  if (state.link === 'closed' || !state.status?.profileId) return null
  const sync = state.status.sync
  if (!sync || sync.state === 'stopped') return null
  return sync.webhook?.error ?? null
}

/** Whether a room matches the table's search: in its name or one of its groups' names. */
function matchesSearch(room: RoomSummaryView, needle: string): boolean {
  return (
    !needle ||
    room.room.toLowerCase().includes(needle) ||
    Object.keys(room.groups).some((group) => group.toLowerCase().includes(needle))
  )
}

/** The table's order: by count or by name (natural: room2 before room10), ties by name. */
function roomOrder(query: RoomsQuery): (a: RoomSummaryView, b: RoomSummaryView) => number {
  const sign = query.descending ? -1 : 1
  return (a, b) => {
    if (query.sort === 'count' && a.count !== b.count) return sign * (a.count - b.count)
    const byName = naturalCompare(a.room, b.room)
    return query.sort === 'room' ? sign * byName : byName
  }
}

/** Rooms in the table's order: filtered by the search (room or group name), sorted, ties by name (room2 before room10). */
export function sortRooms(rooms: Iterable<RoomSummaryView>, query: RoomsQuery): RoomSummaryView[] {
  const needle = query.search.trim().toLowerCase()
  const rows: RoomSummaryView[] = []
  for (const room of rooms) if (matchesSearch(room, needle)) rows.push(room)
  return rows.sort(roomOrder(query))
}

/**
 * A memoised `sortRooms` over the store, recomputed only when the rooms or the query change. A live
 * update moves a few rooms among thousands: the rooms tell which changed since the rows were made,
 * and only those are taken out (the rows they had, by identity) and put back in their new place (by
 * search), one copy of the rows and a few comparisons per changed room, where a sort of 10,000
 * rooms, or even looking each row up by name, took a good part of a frame.
 */
export function createRoomRowsSelector(): (state: Pick<AppState, 'rooms' | 'roomsQuery'>) => RoomSummaryView[] {
  let lastRooms: LiveRooms | null = null
  let lastQuery: RoomsQuery | null = null
  let lastRows: RoomSummaryView[] = []
  return (state) => {
    const { rooms, roomsQuery: query } = state
    if (rooms === lastRooms && query === lastQuery) return lastRows
    const changes = lastRooms !== null && query === lastQuery ? rooms.changesSince(lastRooms) : null
    lastRows = (changes && placeChangedRows(lastRows, changes, rooms, query)) ?? sortRooms(rooms.values(), query)
    lastRooms = rooms
    lastQuery = query
    return lastRows
  }
}

/**
 * `rows` (sorted for `query`) with the rooms in `changes` (each with the summary the rows were made
 * from) placed again as `rooms` has them now: the same array when no row differs; null when a row
 * is not where its summary says, and only a full sort can be trusted.
 */
function placeChangedRows(
  rows: RoomSummaryView[],
  changes: ReadonlyMap<string, RoomSummaryView | undefined>,
  rooms: ReadonlyMap<string, RoomSummaryView>,
  query: RoomsQuery,
): RoomSummaryView[] | null {
  const needle = query.search.trim().toLowerCase()
  const compare = roomOrder(query)
  const edits = new Map<RoomSummaryView, RoomSummaryView | null>()
  const added: RoomSummaryView[] = []
  for (const [name, before] of changes) {
    const now = rooms.get(name)
    const wasRow = before !== undefined && matchesSearch(before, needle) ? before : undefined
    const isRow = now !== undefined && matchesSearch(now, needle) ? now : undefined
    if (wasRow === isRow) continue
    if (wasRow) {
      // Its place depends only on what it is sorted by: with the same count (or by name) it stays put.
      const stays = isRow !== undefined && compare(wasRow, isRow) === 0
      edits.set(wasRow, stays ? isRow : null)
      if (stays) continue
    }
    if (isRow) added.push(isRow)
  }
  if (edits.size === 0 && added.length === 0) return rows
  return spliceSorted(rows, edits, added, compare)
}

/**
 * `sorted` (in `compare`'s order) with some of its items replaced or dropped (`edits`: the item in
 * each one's place, or null) and `added` placed among them: the few added items are sorted and each
 * finds its place by a search onward from the one before, so the cost is one copy and k log(n/k)
 * comparisons, not a sort of n. A replacement must compare equal to the item it replaces; an added
 * item goes after the items equal to it. Null when an edited item is not in `sorted`. Sorts `added`.
 */
export function spliceSorted<T>(
  sorted: readonly T[],
  edits: ReadonlyMap<T, T | null>,
  added: T[],
  compare: (a: T, b: T) => number,
): T[] | null {
  added.sort(compare)
  const spliced: T[] = []
  let edited = 0
  let from = 0
  const copyUpTo = (end: number) => {
    for (let i = from; i < end; i++) {
      const item = sorted[i] as T
      const edit = edits.size === 0 ? undefined : edits.get(item)
      if (edit === undefined) spliced.push(item)
      else {
        edited++
        if (edit !== null) spliced.push(edit)
      }
    }
    from = end
  }
  for (const item of added) {
    // Galloping from the last place (the added items are in order), then a binary search in the last
    // stride. The dropped items are still in `sorted`, in order: they serve as well as any to compare.
    let low = from
    let stride = 1
    while (low + stride <= sorted.length && compare(sorted[low + stride - 1] as T, item) <= 0) {
      low += stride
      stride *= 2
    }
    let high = Math.min(low + stride, sorted.length)
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compare(sorted[middle] as T, item) <= 0) low = middle + 1
      else high = middle
    }
    copyUpTo(low)
    spliced.push(item)
  }
  copyUpTo(sorted.length)
  return edited === edits.size ? spliced : null
}

/** The `n` busiest rooms, busiest first, ties by name: one pass, no full sort of 10,000 rooms. */
export function topRooms(rooms: Iterable<RoomSummaryView>, n: number): string[] {
  const best: RoomSummaryView[] = []
  const before = (a: RoomSummaryView, b: RoomSummaryView) =>
    a.count > b.count || (a.count === b.count && a.room < b.room)
  for (const room of rooms) {
    if (best.length === n && !before(room, best[n - 1] as RoomSummaryView)) continue
    let index = best.length
    while (index > 0 && before(room, best[index - 1] as RoomSummaryView)) index--
    best.splice(index, 0, room)
    if (best.length > n) best.pop()
  }
  return best.map((room) => room.room)
}

export interface Rates {
  joinsPerMinute: number | null
  leavesPerMinute: number | null
  /** How much time the figures are measured over, up to a minute. */
  windowMs: number
}

/**
 * Joins and leaves per minute over the last minute of syncs. Until a minute has passed since the
 * baseline, the count so far is scaled to a minute, and `windowMs` says how much time it covers.
 */
export function selectRates(state: {
  rateWindow: TickCounts[]
  liveAt: number | null
  rateSince: number | null
}): Rates {
  const { rateWindow, liveAt, rateSince } = state
  if (liveAt === null || rateSince === null || liveAt <= rateSince)
    return { joinsPerMinute: null, leavesPerMinute: null, windowMs: 0 }
  let joins = 0
  let leaves = 0
  for (const entry of rateWindow) {
    if (entry.at > liveAt - RATE_WINDOW_MS) {
      joins += entry.joins
      leaves += entry.leaves
    }
  }
  const windowMs = Math.min(RATE_WINDOW_MS, liveAt - rateSince)
  const scale = RATE_WINDOW_MS / windowMs
  return { joinsPerMinute: Math.round(joins * scale), leavesPerMinute: Math.round(leaves * scale), windowMs }
}

/** Every group name seen in the current rooms, sorted: the legend's and the colours' order. */
export function groupNames(rooms: Iterable<RoomSummaryView>): string[] {
  const names = new Set<string>()
  for (const room of rooms) for (const group of Object.keys(room.groups)) names.add(group)
  return [...names].sort()
}

/**
 * When someone last joined or left `room` among the live ticks' events (null: none listed). A swap
 * leaves the room's counts as they were, so this, not the count, says its participants changed.
 */
export function lastEventAt(recent: readonly PresenceEvent[], room: string): number | null {
  for (let index = recent.length - 1; index >= 0; index--) {
    const event = recent[index] as PresenceEvent
    if (event.room === room) return event.at
  }
  return null
}

/** A room's recent joins and leaves, newest first, from the engine's page and the live ticks, without repeats. */
export function roomFeed(room: string, sources: readonly (readonly PresenceEvent[])[], limit: number): PresenceEvent[] {
  const seen = new Set<string>()
  const events: PresenceEvent[] = []
  for (const source of sources) {
    for (const event of source) {
      if (event.room !== room) continue
      const key = `${event.type}|${event.user}|${event.at}`
      if (seen.has(key)) continue
      seen.add(key)
      events.push(event)
    }
  }
  events.sort((a, b) => b.at - a.at)
  return events.slice(0, limit)
}

export interface ChartPoint {
  t: number
  value: number | null
}
