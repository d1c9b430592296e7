import {
  RATE_WINDOW_MS,
  type PresenceEvent,
  type RoomDetail,
  type RoomDetailInput,
  type RoomsSnapshot,
  type RoomSummaryView,
  type Tick,
  type TickCounts,
} from '../../../../shared/presence.ts'
import { LiveRooms } from '../live-rooms.ts'
import { attempt, describeError, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'
import type { UiSlice } from './ui-slice.ts'

/**
 * The feeds show the last minutes of joins and leaves, gathered tick by tick (each sends at most 100),
 * not only the last sync's; at most this many are kept, so a crowd arriving at once stays bounded.
 */
export const RECENT_WINDOW_MS = 10 * 60_000
export const RECENT_CAP = 5_000

/** Which tick of which reading the live rooms reflect (see Tick.stream and Tick.seq). */
export interface LivePosition {
  stream: string
  seq: number
}

export interface LiveSlice {
  /** Current rooms by name, patched in place by every tick; a new view whenever one changes. */
  rooms: LiveRooms
  /**
   * The tick the rooms (and the figures with them) reflect; null until a snapshot or a reading's
   * first tick gives them. A tick is applied only on top of the one before it.
   */
  roomsAt: LivePosition | null
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
  /**
   * Time of the latest tick that changed members without naming them all: a new reading, or more
   * joins and leaves than its `recent` lists. Any room may have changed who is in it then, even where
   * its counts did not move, so a room's participant list is fetched again.
   */
  unlistedAt: number | null
  resetLive(): void
  /**
   * Asks for the rooms snapshot; ticks that arrive while it is on its way and are newer than it are
   * applied on top of it, older ones dropped.
   */
  loadRooms(): Promise<void>
  applyTick(tick: Tick): void
  /** One page of a room's participants (searchable) and its recent joins and leaves. */
  fetchRoomDetail(input: RoomDetailInput): Promise<Outcome<RoomDetail>>
}

/** Nothing known of the rooms: before the first snapshot or reading, or after a reset. */
function unknownRooms() {
  return {
    rooms: LiveRooms.empty(),
    roomsAt: null,
    liveAt: null,
    total: 0,
    channels: 0,
    unmatched: 0,
  } satisfies Partial<LiveSlice>
}

export const createLiveSlice: SliceCreator<LiveSlice, Pick<UiSlice, 'error'>> = (set, get, api) => {
  /** The latest rooms snapshot asked for, and the ticks that arrived since it was asked. */
  let inFlight: { ticks: Tick[] } | null = null

  /** Whether a tick continues the rooms held (the next of their reading), repeats them or can't be placed. */
  const placeOf = (tick: Tick, at: LivePosition | null): 'next' | 'first' | 'old' | 'unplaced' => {
    if (at !== null && tick.stream === at.stream)
      return tick.seq <= at.seq ? 'old' : tick.seq === at.seq + 1 ? 'next' : 'unplaced'
    // A reading's first tick lists every room: it stands on its own.
    return tick.seq === 1 ? 'first' : 'unplaced'
  }

  /**
   * The tick's rooms and figures, if it is the next one for the rooms held or a reading's first; an
   * empty change if the rooms already have it; null when it can't be placed (a tick was missed, or
   * it belongs to a reading whose start the rooms don't hold), so a snapshot is wanted.
   */
  const placing = (tick: Tick): Partial<LiveSlice> | null => {
    const state = get()
    const place = placeOf(tick, state.roomsAt)
    if (place === 'old') return {}
    if (place === 'unplaced') return null
    return {
      rooms: place === 'first' ? LiveRooms.of(tick.changed) : state.rooms.patched(tick.changed, tick.removed),
      roomsAt: { stream: tick.stream, seq: tick.seq },
      groups: withGroupsOf(state.groups, tick.changed),
      liveAt: tick.at,
      total: tick.total,
      channels: tick.channels,
      unmatched: tick.unmatched,
    }
  }

  /**
   * The snapshot's rooms, unless those held are already as new (same reading, same tick or later).
   * One taken before any sync says no room is known.
   */
  const placeSnapshot = (snapshot: RoomsSnapshot) => {
    const at = get().roomsAt
    if (snapshot.stream === null) {
      if (at !== null) set(unknownRooms())
      return
    }
    if (at !== null && at.stream === snapshot.stream && at.seq >= snapshot.seq) return
    // The first snapshot this page takes brings the engine's last minute of counts (ticks seen since are
    // newer), so the rates are a minute's from the first, not from the page load.
    const { rateSince, rateWindow } = get()
    const counted =
      rateSince === null && snapshot.rates
        ? {
            rateSince: snapshot.rates.since,
            rateWindow: [...snapshot.rates.ticks, ...rateWindow.filter((entry) => entry.at > (snapshot.at ?? 0))],
          }
        : { rateSince: rateSince ?? snapshot.at }
    set({
      rooms: LiveRooms.of(snapshot.rooms),
      roomsAt: { stream: snapshot.stream, seq: snapshot.seq },
      groups: withGroupsOf(get().groups, snapshot.rooms),
      liveAt: snapshot.at,
      total: snapshot.total,
      channels: snapshot.channels,
      unmatched: snapshot.unmatched,
      baseline: true,
      ...counted,
    })
  }

  /** What the live fields are before anything is known (at start, and after a reset). */
  const nothingKnown = () => ({
    ...unknownRooms(),
    recent: [],
    groups: [],
    rateWindow: [],
    baseline: false,
    rateSince: null,
    readingAt: null,
    unlistedAt: null,
  })

  return {
    ...nothingKnown(),
    resetLive: () => {
      // A snapshot on its way is of what was shown before: its answer is not wanted.
      inFlight = null
      set(nothingKnown())
    },
    async loadRooms() {
      const request = { ticks: [] as Tick[] }
      inFlight = request
      try {
        const snapshot = await api.call('rooms.list')
        // A later request (or a reset) made this one's answer moot.
        if (inFlight !== request) return
        inFlight = null
        placeSnapshot(snapshot)
        // The ticks that came meanwhile were placed on what was held then; placed again on the
        // snapshot, the older ones are already in it and the newer ones follow it. One of the
        // snapshot's reading that can't be placed means one went missing: the snapshot is asked again.
        let missed = false
        for (const tick of request.ticks) {
          const change = placing(tick)
          if (change) set(change)
          else missed ||= tick.stream === get().roomsAt?.stream
        }
        if (missed) void get().loadRooms()
      } catch (error) {
        if (inFlight === request) inFlight = null
        set({ error: describeError(error) })
      }
    },
    applyTick(tick) {
      inFlight?.ticks.push(tick)
      const state = get()
      const change = placing(tick)
      // Ticks that can't be placed are still joins and leaves seen: the rates and feeds count every tick.
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
      // One change to the store per tick, so subscribers look once.
      set({
        ...change,
        recent,
        rateWindow,
        baseline: true,
        rateSince: state.rateSince ?? tick.at,
        readingAt: tick.baseline ? tick.at : state.readingAt,
        unlistedAt: tick.baseline || tick.recent.length < tick.joins + tick.leaves ? tick.at : state.unlistedAt,
      })
      // Rooms held but this tick doesn't follow them: a tick was missed (or a new reading began
      // unseen), so the snapshot is asked for, unless one is already on its way.
      if (change === null && state.roomsAt !== null && inFlight === null) void get().loadRooms()
    },
    fetchRoomDetail: (input) => attempt(() => api.call('room.detail', input)),
  }
}

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
