import { describe, expect, it } from 'vitest'
import type { RoomSummaryView } from '../../../shared/presence.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'
import type { SyncStatus } from '../../../shared/sync.ts'
import {
  createRoomRowsSelector,
  groupNames,
  lastEventAt,
  roomFeed,
  selectFreshness,
  selectRates,
  selectSecretWarning,
  selectStatusLine,
  selectTheme,
  selectWebhookProblem,
  sortRooms,
  spliceSorted,
  topRooms,
} from './selectors.ts'
import { LiveRooms } from './live-rooms.ts'
import { disconnected as status } from './test-api.ts'

const room = (name: string, count: number, groups: Record<string, number> = {}): RoomSummaryView => ({
  room: name,
  count,
  groups,
})

const sync: SyncStatus = {
  mode: 'poll',
  state: 'ok',
  lastSuccessAt: 1_000,
  lastAttemptAt: 1_000,
  nextAttemptAt: 6_000,
  latencyMs: 12,
  responseBytes: 100,
  channels: 3,
  unmatched: 0,
  participants: 3,
  rooms: 1,
  error: null,
  webhook: null,
  drift: null,
}

describe('status selectors', () => {
  it('resolve the theme, following the OS for "system"', () => {
    expect(selectTheme({ settings: null }, true)).toBe('dark')
    expect(selectTheme({ settings: { ...DEFAULT_SETTINGS, theme: 'system' } }, false)).toBe('light')
    expect(selectTheme({ settings: { ...DEFAULT_SETTINGS, theme: 'dark' } }, false)).toBe('dark')
  })

  it('put a lost server link above anything the engine last said', () => {
    expect(selectStatusLine({ link: 'closed', status: { ...status, connection: 'connected' } })).toMatchObject({
      tone: 'error',
    })
    expect(selectStatusLine({ link: 'connecting', status: null })).toEqual({ tone: 'busy', text: 'Starting…' })
    expect(selectStatusLine({ link: 'open', status })).toEqual({ tone: 'idle', text: 'Not connected' })
    expect(
      selectStatusLine({
        link: 'open',
        status: { ...status, connection: 'error', profile: 'prod', message: 'Wrong secret' },
      }),
    ).toEqual({
      tone: 'error',
      text: 'prod: Wrong secret',
    })
  })

  it('surface the secret storage warning', () => {
    expect(selectSecretWarning({ info: null })).toBeNull()
    const info = { secretStorage: { backend: 'x', encrypted: false, warning: 'No keychain' } }
    expect(selectSecretWarning({ info } as never)).toBe('No keychain')
  })

  it('mark data stale while the sync fails, with the last good time and what to do', () => {
    const failing: Status = {
      ...status,
      connection: 'error',
      sync: {
        ...sync,
        state: 'failing',
        error: {
          kind: 'network',
          message: 'Cannot reach 127.0.0.1:6001',
          hint: 'Check the host and port',
          status: null,
          since: 2_000,
          attempts: 3,
        },
      },
    }
    expect(selectFreshness({ link: 'open', status: failing })).toEqual({
      stale: true,
      lastGoodAt: 1_000,
      problem: { message: 'Cannot reach 127.0.0.1:6001', hint: 'Check the host and port' },
    })
    expect(selectFreshness({ link: 'open', status: { ...status, connection: 'connected', sync } })).toEqual({
      stale: false,
      lastGoodAt: 1_000,
      problem: null,
    })
    expect(selectFreshness({ link: 'closed', status: { ...status, sync } })).toMatchObject({
      stale: true,
      lastGoodAt: 1_000,
    })
  })
})

describe('selectWebhookProblem', () => {
  const webhook = { listening: false, address: null, received: 0, rejected: 0, lastAt: null }
  const connected = (error: string | null, state: SyncStatus['state'] = 'ok'): Status => ({
    ...status,
    connection: error ? 'error' : 'connected',
    profileId: 'p1',
    sync: { ...sync, mode: 'webhook', state, webhook: { ...webhook, error } },
  })

  it("says why webhooks aren't received while the connected profile wants them", () => {
    const error = '127.0.0.1:7481 is already in use'
    expect(selectWebhookProblem({ link: 'open', status: connected(error) })).toBe(error)
    expect(selectWebhookProblem({ link: 'open', status: connected(error, 'failing') })).toBe(error)
  })

  it('is null when the receiver listens, the sync has stopped, nothing is connected or the link is lost', () => {
    const error = 'in use'
    expect(selectWebhookProblem({ link: 'open', status: connected(null) })).toBeNull()
    expect(selectWebhookProblem({ link: 'open', status: connected(error, 'stopped') })).toBeNull()
    expect(selectWebhookProblem({ link: 'open', status: { ...connected(error), profileId: null } })).toBeNull()
    expect(selectWebhookProblem({ link: 'closed', status: connected(error) })).toBeNull()
    expect(selectWebhookProblem({ link: 'open', status: { ...status, connection: 'connected', sync } })).toBeNull()
  })
})

describe('room selectors', () => {
  const rooms = [room('b', 5, { red: 5 }), room('a', 5, { blue: 5 }), room('c', 9), room('lobby', 1, { red: 1 })]

  it('sort by count (ties by name) or by name, either way', () => {
    expect(sortRooms(rooms, { search: '', sort: 'count', descending: true }).map((r) => r.room)).toEqual([
      'c',
      'a',
      'b',
      'lobby',
    ])
    expect(sortRooms(rooms, { search: '', sort: 'count', descending: false }).map((r) => r.room)).toEqual([
      'lobby',
      'a',
      'b',
      'c',
    ])
    expect(sortRooms(rooms, { search: '', sort: 'room', descending: true }).map((r) => r.room)).toEqual([
      'lobby',
      'c',
      'b',
      'a',
    ])
  })

  it('search room and group names, case-insensitively', () => {
    expect(sortRooms(rooms, { search: 'LOB', sort: 'count', descending: true }).map((r) => r.room)).toEqual(['lobby'])
    expect(sortRooms(rooms, { search: 'red', sort: 'count', descending: true }).map((r) => r.room)).toEqual([
      'b',
      'lobby',
    ])
  })

  it('sort names as people read them: room2 before room10', () => {
    const numbered = [room('room10', 1), room('room2', 1), room('Room1', 1), room('room11', 3)]
    expect(sortRooms(numbered, { search: '', sort: 'room', descending: false }).map((r) => r.room)).toEqual([
      'Room1',
      'room2',
      'room10',
      'room11',
    ])
    expect(sortRooms(numbered, { search: '', sort: 'count', descending: true }).map((r) => r.room)).toEqual([
      'room11',
      'Room1',
      'room2',
      'room10',
    ])
  })

  it('memoise the rows until the rooms or the query change', () => {
    const select = createRoomRowsSelector()
    const state = { rooms: LiveRooms.of(rooms), roomsQuery: { search: '', sort: 'count' as const, descending: true } }
    const first = select(state)
    expect(select({ ...state })).toBe(first)
    expect(select({ ...state, rooms: LiveRooms.of(rooms) })).not.toBe(first)
  })

  it('keep the rows when a change moves no row: the same array, so the table does not draw again', () => {
    const select = createRoomRowsSelector()
    const query = { search: 'red', sort: 'count' as const, descending: true }
    const before = LiveRooms.of(rooms)
    const first = select({ rooms: before, roomsQuery: query })
    // 'a' has only blue people, so the search for red leaves it out before and after.
    const after = before.patched([room('a', 9, { blue: 9 })], [])
    expect(after).not.toBe(before)
    expect(select({ rooms: after, roomsQuery: query })).toBe(first)
  })

  it('put a changed room in its new place when its count crosses another, and keep every other row', () => {
    const select = createRoomRowsSelector()
    const query = { search: '', sort: 'count' as const, descending: true }
    const before = LiveRooms.of(rooms)
    const first = select({ rooms: before, roomsQuery: query })
    expect(first.map((r) => r.room)).toEqual(['c', 'a', 'b', 'lobby'])
    const moved = room('lobby', 6)
    const rows = select({ rooms: before.patched([moved], []), roomsQuery: query })
    expect(rows.map((r) => r.room)).toEqual(['c', 'lobby', 'a', 'b'])
    expect(rows[1]).toBe(moved)
    for (const name of ['a', 'b', 'c'])
      expect(rows.find((r) => r.room === name)).toBe(first.find((r) => r.room === name))
  })

  it('keep the rows in the same order as a fresh sort when updates move, add and remove rooms', () => {
    let seed = 7
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const select = createRoomRowsSelector()
    let live = LiveRooms.of(Array.from({ length: 300 }, (_, i) => room(`room${i}`, 1 + (i % 7))))
    // Names that read alike (natural order still tells them apart).
    live = live.patched([room('room007', 3), room('room7', 3)], [])
    for (const query of [
      { search: '', sort: 'count' as const, descending: true },
      { search: 'room1', sort: 'room' as const, descending: false },
      { search: 'red', sort: 'count' as const, descending: false },
    ]) {
      for (let step = 0; step < 40; step++) {
        // Sometimes the rows are asked for only after several patches, or after more than are kept.
        const patches = random() < 0.7 ? 1 : random() < 0.8 ? 2 + Math.floor(random() * 4) : 20
        for (let patch = 0; patch < patches; patch++) {
          const changed = []
          const removed = []
          for (let k = 0; k < 15; k++) {
            const name = `room${Math.floor(random() * 400)}`
            if (random() < 0.2) removed.push(name)
            else changed.push(room(name, Math.floor(random() * 9), random() < 0.5 ? { red: 1 } : { blue: 1 }))
          }
          live = live.patched(changed, removed)
        }
        const rows = select({ rooms: live, roomsQuery: query })
        expect(rows.map((r) => r.room)).toEqual(sortRooms(live.values(), query).map((r) => r.room))
      }
    }
  })

  it('splice a few items into a sorted list in place of a sort: dropped, replaced, added after equals', () => {
    type Item = { v: number; id?: string }
    const byValue = (a: Item, b: Item) => a.v - b.v
    const sorted = [1, 3, 3, 5, 9].map((v, i) => ({ v, id: `s${i}` }))
    const added = [
      { v: 3, id: 'a0' },
      { v: 0, id: 'a1' },
      { v: 10, id: 'a2' },
      { v: 4, id: 'a3' },
    ]
    const edits = new Map<Item, Item | null>([
      [sorted[3] as Item, null],
      [sorted[1] as Item, { v: 3, id: 'r1' }],
    ])
    const spliced = spliceSorted<Item>(sorted, edits, added, byValue)
    expect(spliced?.map((item) => item.id)).toEqual(['a1', 's0', 'r1', 's2', 'a0', 'a3', 's4', 'a2'])
    expect(spliceSorted([], new Map(), [{ v: 2 }, { v: 1 }], byValue)).toEqual([{ v: 1 }, { v: 2 }])
    const unchanged = spliceSorted(sorted, new Map(), [], byValue)
    expect(unchanged).toEqual(sorted)
    expect(unchanged).not.toBe(sorted)
    // An edit of an item that is not there: the caller must sort instead.
    expect(spliceSorted<Item>(sorted, new Map([[{ v: 3, id: 'elsewhere' }, null]]), [], byValue)).toBeNull()
    let seed = 3
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    for (let round = 0; round < 200; round++) {
      const base = Array.from({ length: Math.floor(random() * 40) }, (_, i): Item => ({
        v: Math.floor(random() * 8),
        id: `s${i}`,
      }))
      base.sort(byValue)
      const dropped = new Set(base.filter(() => random() < 0.2))
      const extra = Array.from({ length: Math.floor(random() * 10) }, (_, i): Item => ({
        v: Math.floor(random() * 10) - 1,
        id: `a${i}`,
      }))
      // A stable sort of the kept items then the added ones: among equals, the kept first, then the added in turn.
      const expected = [...base.filter((item) => !dropped.has(item)), ...extra].sort(byValue).map((item) => item.id)
      const edits = new Map([...dropped].map((item): [Item, null] => [item, null]))
      expect(spliceSorted(base, edits, extra, byValue)?.map((item) => item.id)).toEqual(expected)
    }
  })

  it('pick the busiest rooms without sorting them all', () => {
    expect(topRooms(rooms, 2)).toEqual(['c', 'a'])
    expect(topRooms(rooms, 10)).toEqual(['c', 'a', 'b', 'lobby'])
    expect(topRooms([], 3)).toEqual([])
    const many = Array.from({ length: 10_000 }, (_, i) => room(`r${i}`, i % 997))
    expect(topRooms(many, 3)).toEqual(['r1993', 'r2990', 'r3987'])
  })

  it('list the groups present, sorted', () => {
    expect(groupNames(rooms)).toEqual(['blue', 'red'])
  })

  it("merge a room's feed from the engine and the ticks, newest first, without repeats", () => {
    const join = (user: string, at: number, inRoom = 'a') => ({
      type: 'join' as const,
      room: inRoom,
      user,
      group: null,
      at,
    })
    const feed = roomFeed(
      'a',
      [
        [join('x', 1), join('y', 2)],
        [join('y', 2), join('z', 3), join('w', 4, 'b')],
      ],
      10,
    )
    expect(feed.map((event) => event.user)).toEqual(['z', 'y', 'x'])
    expect(roomFeed('a', [[join('x', 1), join('y', 2)]], 1).map((event) => event.user)).toEqual(['y'])
  })
})

describe('lastEventAt', () => {
  it('gives the time of the newest join or leave listed for a room, or null', () => {
    const event = (type: 'join' | 'leave', room: string, at: number) => ({ type, room, user: 'u', group: null, at })
    const recent = [event('join', 'a', 1), event('leave', 'a', 2), event('join', 'b', 3)]
    expect(lastEventAt(recent, 'a')).toBe(2)
    expect(lastEventAt(recent, 'b')).toBe(3)
    expect(lastEventAt(recent, 'c')).toBeNull()
    expect(lastEventAt([], 'a')).toBeNull()
  })
})

describe('rate and chart selectors', () => {
  it('count the last minute of joins and leaves, scaled to a minute until one has passed', () => {
    expect(selectRates({ rateWindow: [], liveAt: null, rateSince: null })).toEqual({
      joinsPerMinute: null,
      leavesPerMinute: null,
      windowMs: 0,
    })
    const rateWindow = [
      { at: 10_000, joins: 100, leaves: 0 },
      { at: 75_000, joins: 3, leaves: 1 },
      { at: 80_000, joins: 4, leaves: 2 },
    ]
    expect(selectRates({ rateWindow, liveAt: 80_000, rateSince: 5_000 })).toEqual({
      joinsPerMinute: 7,
      leavesPerMinute: 3,
      windowMs: 60_000,
    })
    expect(selectRates({ rateWindow: rateWindow.slice(1), liveAt: 80_000, rateSince: 70_000 })).toEqual({
      joinsPerMinute: 42,
      leavesPerMinute: 18,
      windowMs: 10_000,
    })
    expect(selectRates({ rateWindow: [], liveAt: 70_000, rateSince: 70_000 }).joinsPerMinute).toBeNull()
  })
})
