import type { PresenceEvent, RoomDetail, RoomDetailInput, RoomSummaryView, Tick } from '../../../../shared/presence.ts'
import { attempt, describeError, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'
import type { UiSlice } from './ui-slice.ts'

/**
 * The feeds show the last minutes of joins and leaves, gathered tick by tick (each sends at most 100),
 * not only the last sync's; at most this many are kept, so a crowd arriving at once stays bounded.
 */
export const RECENT_WINDOW_MS = 10 * 60_000
export const RECENT_CAP = 5_000
/** Ticks kept for the per-minute rates. */
export const RATE_WINDOW_MS = 60_000

export interface TickCounts {
  at: number
  joins: number
  leaves: number
}

export interface LiveSlice {
  /** Current rooms by name, patched by every tick; a new Map each time so subscribers see a change. */
  rooms: Map<string, RoomSummaryView>
  /** Time of the sync the rooms reflect (engine clock), null before the first. */
  liveAt: number | null
  total: number
  channels: number
  unmatched: number
  recent: PresenceEvent[]
  /**
   * Group names seen in the rooms since the rooms were loaded, sorted: colours are given in this
   * order. Kept from tick to tick (a new array only when a group appears), since reading every room's
   * groups on each tick costs milliseconds at 10,000 rooms; a group that empties keeps its colour.
   */
  groups: string[]
  rateWindow: TickCounts[]
  /**
   * Whether the rooms already hold a synced state, so a tick's joins are real arrivals; the first sync
   * after connecting reports everyone present as joining, which is not a rate.
   */
  baseline: boolean
  /** When the baseline was taken: rates cover the time since, up to a minute. */
  rateSince: number | null
  /**
   * Time of the latest tick that began a new reading (after connecting, a restart of the sync or a
   * gap): the history gained a gap or an event there, so charts are fetched again.
   */
  readingAt: number | null
  resetLive(): void
  loadRooms(): Promise<void>
  applyTick(tick: Tick): void
  /** One page of a room's participants (searchable) and its recent joins and leaves. */
  fetchRoomDetail(input: RoomDetailInput): Promise<Outcome<RoomDetail>>
}

export const createLiveSlice: SliceCreator<LiveSlice, Pick<UiSlice, 'error'>> = (set, get, api) => ({
  rooms: new Map(),
  liveAt: null,
  total: 0,
  channels: 0,
  unmatched: 0,
  recent: [],
  groups: [],
  rateWindow: [],
  baseline: false,
  rateSince: null,
  readingAt: null,
  resetLive: () =>
    set({
      rooms: new Map(),
      liveAt: null,
      total: 0,
      channels: 0,
      unmatched: 0,
      recent: [],
      groups: [],
      rateWindow: [],
      baseline: false,
      rateSince: null,
      readingAt: null,
    }),
  async loadRooms() {
    try {
      // A tick that arrived while the snapshot was on its way is newer, and it carried only the rooms it
      // changed: the snapshot is asked again (a few times) rather than either drop the rooms it lists or
      // put back older figures. One of the snapshot's own moment is not newer: the snapshot has it all.
      for (let attempt = 0; attempt < 3; attempt++) {
        const snapshot = await api.call('rooms.list')
        const liveAt = get().liveAt
        if (snapshot.at === null) return
        if (liveAt !== null && liveAt > snapshot.at) continue
        set({
          rooms: new Map(snapshot.rooms.map((room) => [room.room, room])),
          groups: withGroupsOf(get().groups, snapshot.rooms),
          liveAt: snapshot.at,
          total: snapshot.total,
          channels: snapshot.channels,
          unmatched: snapshot.unmatched,
          baseline: true,
          rateSince: get().rateSince ?? snapshot.at,
        })
        return
      }
    } catch (error) {
      set({ error: describeError(error) })
    }
  },
  applyTick(tick) {
    const state = get()
    const rooms = new Map(state.rooms)
    for (const summary of tick.changed) rooms.set(summary.room, summary)
    for (const room of tick.removed) rooms.delete(room)
    const horizon = tick.at - RATE_WINDOW_MS
    const rateWindow = state.baseline
      ? [
          ...state.rateWindow.filter((entry) => entry.at > horizon),
          { at: tick.at, joins: tick.joins, leaves: tick.leaves },
        ]
      : []
    const since = tick.at - RECENT_WINDOW_MS
    const recent =
      tick.recent.length === 0 && (state.recent[0]?.at ?? Infinity) >= since
        ? state.recent
        : [...state.recent.filter((event) => event.at >= since), ...tick.recent].slice(-RECENT_CAP)
    set({
      rooms,
      groups: withGroupsOf(state.groups, tick.changed),
      liveAt: tick.at,
      total: tick.total,
      channels: tick.channels,
      unmatched: tick.unmatched,
      recent,
      rateWindow,
      baseline: true,
      rateSince: state.rateSince ?? tick.at,
      readingAt: tick.baseline ? tick.at : state.readingAt,
    })
  },
  fetchRoomDetail: (input) => attempt(() => api.call('room.detail', input)),
})

/** The sorted group names with those of `rooms` added: the same array when none is new. */
export function withGroupsOf(groups: string[], rooms: readonly RoomSummaryView[]): string[] {
  let known: Set<string> | null = null
  let added: string[] | null = null
  for (const room of rooms)
    for (const group in room.groups) {
      known ??= new Set(groups)
      if (known.has(group)) continue
      known.add(group)
      ;(added ??= []).push(group)
    }
  return added ? [...groups, ...added].sort() : groups
}
