import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../shared/envelope.ts'
import type { RoomsSnapshot, RoomSummaryView } from '../../../shared/presence.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'
import { createAppStore } from './app-store.ts'
import { selectRates } from './selectors.ts'
import { preferencesOf } from './slices/connection-slice.ts'
import { RECENT_CAP, RECENT_WINDOW_MS } from './slices/live-slice.ts'
import { deferred, disconnected as status, fakeApi, tickOf as tick } from './test-api.ts'

const lobby = (count: number): RoomSummaryView => ({ room: 'lobby', count, groups: {} })
const stage = (count: number): RoomSummaryView => ({ room: 'stage', count, groups: {} })

function snapshot(stream: string, seq: number, at: number, rooms: RoomSummaryView[], total = 0): RoomsSnapshot {
  return { at, stream, seq, total, channels: total, unmatched: 0, rooms }
}

const connected: Status = {
  ...status,
  connection: 'connected',
  profile: 'prod',
  profileId: 'p1',
  message: '10 people in 2 rooms',
}

describe('app store: connection slice', () => {
  it('loads info, status, settings and profiles on refresh', async () => {
    const { api } = fakeApi({ 'profiles.list': () => [{ id: 'p1', name: 'prod' }] })
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(store.getState()).toMatchObject({
      info: { version: '1.0.0' },
      status,
      settings: preferencesOf(DEFAULT_SETTINGS),
      error: null,
    })
    // The profiles are kept once, in their own slice, not again inside the settings.
    expect(store.getState().settings).not.toHaveProperty('profiles')
    expect(store.getState().profiles).toHaveLength(1)
  })

  it('keeps a failed refresh as an error in words', async () => {
    const { api } = fakeApi({
      'status.get': () => {
        throw new ApiError('transport', 'The connection to the Headcount server was lost')
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(store.getState().error).toBe('The connection to the Headcount server was lost')
    store.getState().dismissError()
    expect(store.getState().error).toBeNull()
  })

  it('follows status and settings events', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    emit('status', { ...status, connection: 'connected', message: 'Synced' })
    emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(store.getState().status?.connection).toBe('connected')
    expect(store.getState().settings?.theme).toBe('dark')
  })

  it("returns the engine's refusal from updateSettings and keeps settings unchanged", async () => {
    const { api } = fakeApi({
      'settings.update': () => {
        throw new ApiError('bad-request', 'Invalid input for settings.update: rawRetentionDays: Too small')
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(await store.getState().updateSettings({ rawRetentionDays: 0 })).toEqual({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/Too small/) },
    })
    expect(store.getState().settings).toEqual(preferencesOf(DEFAULT_SETTINGS))
  })

  it('returns a refused profile as an error and keeps the list', async () => {
    const { api } = fakeApi({
      'profiles.save': () => {
        throw new ApiError(
          'bad-request',
          'Invalid input for profiles.save: connection.appId: App id is 1 to 100 letters, digits, "-", "_" or "."',
        )
      },
    })
    const store = createAppStore(api, 'open')
    const outcome = await store
      .getState()
      .saveProfile({ name: 'x', connection: { appId: 'app 1', key: 'k', target: { kind: 'cluster', cluster: 'eu' } } })
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/App id is 1 to 100 letters/) },
    })
    expect(store.getState().profiles).toEqual([])
  })

  it('starts a fresh live view when the connection changes, and loads its rooms', async () => {
    const { api, call } = fakeApi({
      'rooms.list': () => ({
        at: 5_000,
        total: 3,
        channels: 3,
        unmatched: 0,
        rooms: [{ room: 'a', count: 3, groups: {} }],
      }),
    })
    const store = createAppStore(api, 'open')
    store.getState().applyTick(tick(1_000, { changed: [{ room: 'old', count: 1, groups: {} }] }))
    store.getState().applyStatus(connected)
    expect(store.getState().rooms.size).toBe(0)
    await vi.waitFor(() => expect(store.getState().rooms.size).toBe(1))
    expect(call).toHaveBeenCalledWith('rooms.list')
    expect([...store.getState().rooms.keys()]).toEqual(['a'])
    expect(store.getState().baseline).toBe(true)
  })

  it('marks the switch busy while it runs and reports its failure', async () => {
    let release: () => void = () => {}
    const { api } = fakeApi({
      'demo.start': () =>
        new Promise((_, reject) => {
          release = () => reject(new ApiError('failed', 'No free port'))
        }),
    })
    const store = createAppStore(api, 'open')
    const pending = store.getState().startDemo()
    expect(store.getState().switching).toBe('demo')
    release()
    expect(await pending).toEqual({ ok: false, error: { code: 'failed', message: 'No free port' } })
    expect(store.getState().switching).toBeNull()
  })
})

describe('app store: live slice', () => {
  it('patches the rooms from each tick that follows them, in a new view only when a room changed', () => {
    const { api, emit, call } = fakeApi()
    const store = createAppStore(api, 'open')
    emit(
      'tick',
      tick(1_000, {
        total: 5,
        changed: [
          { room: 'a', count: 3, groups: { red: 3 } },
          { room: 'b', count: 2, groups: {} },
        ],
      }),
    )
    const first = store.getState().rooms
    expect(first.size).toBe(2)
    emit(
      'tick',
      tick(2_000, { seq: 2, total: 4, changed: [{ room: 'a', count: 4, groups: { red: 4 } }], removed: ['b'] }),
    )
    const second = store.getState().rooms
    expect(second).not.toBe(first)
    expect([...second.values()]).toEqual([{ room: 'a', count: 4, groups: { red: 4 } }])
    expect(store.getState()).toMatchObject({ liveAt: 2_000, total: 4, roomsAt: { stream: 'r1', seq: 2 } })
    // A sync that changed no room leaves the rooms as they were: nothing subscribed to them draws again.
    emit('tick', tick(3_000, { seq: 3, total: 4 }))
    expect(store.getState().rooms).toBe(second)
    expect(store.getState()).toMatchObject({ liveAt: 3_000, roomsAt: { stream: 'r1', seq: 3 } })
    expect(call).not.toHaveBeenCalledWith('rooms.list')
  })

  it('does not count the first sync, which reports everyone as joining, as a rate', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    emit('tick', tick(1_000, { joins: 2_000 }))
    expect(store.getState().rateWindow).toEqual([])
    emit('tick', tick(6_000, { joins: 7, leaves: 3 }))
    emit('tick', tick(70_000, { joins: 1, leaves: 0 }))
    expect(store.getState().rateWindow).toEqual([{ at: 70_000, joins: 1, leaves: 0 }])
  })

  it("takes the engine's last minute of counts with the first snapshot: a page just loaded shows a minute's rates", async () => {
    // The engine has been syncing since 10 s; in the last minute its ticks saw 30 joins and 6 leaves.
    const rates = {
      since: 10_000,
      ticks: [
        { at: 65_000, joins: 20, leaves: 2 },
        { at: 100_000, joins: 10, leaves: 4 },
      ],
    }
    const { api, emit } = fakeApi({ 'rooms.list': () => ({ ...snapshot('r1', 9, 100_000, [lobby(40)], 40), rates }) })
    const store = createAppStore(api, 'open')
    await store.getState().loadRooms()
    expect(selectRates(store.getState())).toEqual({ joinsPerMinute: 30, leavesPerMinute: 6, windowMs: 60_000 })
    // Ticks from then on add to them, and the minute moves on.
    emit('tick', tick(126_000, { seq: 10, joins: 5, leaves: 0 }))
    expect(selectRates(store.getState())).toEqual({ joinsPerMinute: 15, leavesPerMinute: 4, windowMs: 60_000 })
  })

  it('marks the ticks that changed members without listing them all, so any room may have changed', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    const leave = { type: 'leave' as const, room: 'lobby', user: 'ana', group: null, at: 2_000 }
    const join = { ...leave, type: 'join' as const, user: 'ben' }
    expect(store.getState().unlistedAt).toBeNull()
    // A new reading brings who was there without naming them as joins.
    emit('tick', tick(1_000, { baseline: true }))
    expect(store.getState().unlistedAt).toBe(1_000)
    // Every join and leave listed: nothing unlisted.
    emit('tick', tick(2_000, { seq: 2, joins: 1, leaves: 1, recent: [leave, join] }))
    expect(store.getState().unlistedAt).toBe(1_000)
    // More than it lists (the engine sends the latest 100).
    emit('tick', tick(3_000, { seq: 3, joins: 150, leaves: 20, recent: [join] }))
    expect(store.getState().unlistedAt).toBe(3_000)
    emit('tick', tick(4_000, { seq: 4 }))
    expect(store.getState().unlistedAt).toBe(3_000)
  })

  it('keeps the groups seen, sorted, as the same array until a new one appears', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    const summary = (room: string, groups: Record<string, number>) => ({ room, count: 1, groups })
    emit('tick', tick(1, { changed: [summary('a', { red: 1 }), summary('b', { blue: 1 })] }))
    const first = store.getState().groups
    expect(first).toEqual(['blue', 'red'])
    emit('tick', tick(2, { seq: 2, changed: [summary('a', { blue: 1 })], removed: ['b'] }))
    expect(store.getState().groups).toBe(first)
    emit('tick', tick(3, { seq: 3, changed: [summary('c', { green: 1 })] }))
    expect(store.getState().groups).toEqual(['blue', 'green', 'red'])
  })

  it('keeps the joins and leaves of the last minutes across ticks, bounded', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    const event = (i: number, at: number) => ({ type: 'join' as const, room: 'a', user: `u${i}`, group: null, at })
    // Sixty ticks of 100 events, a second apart: more than the cap, all within the window.
    for (let batch = 0; batch < 60; batch++)
      emit(
        'tick',
        tick(batch * 1000, { recent: Array.from({ length: 100 }, (_, i) => event(batch * 100 + i, batch * 1000)) }),
      )
    let recent = store.getState().recent
    expect(recent).toHaveLength(RECENT_CAP)
    expect(recent.at(-1)?.user).toBe('u5999')
    // Ticks with nothing new still let the old ones age out of the window.
    emit('tick', tick(59_000 + RECENT_WINDOW_MS - 1))
    expect(store.getState().recent).toHaveLength(100)
    emit('tick', tick(59_000 + RECENT_WINDOW_MS + 1))
    recent = store.getState().recent
    expect(recent).toEqual([])
  })

  it('ignores a rooms snapshot older than the ticks already applied', async () => {
    const { api, emit } = fakeApi({
      'rooms.list': () => snapshot('r1', 1, 1_000, [{ room: 'stale', count: 1, groups: {} }]),
    })
    const store = createAppStore(api, 'open')
    emit('tick', tick(1_000, { changed: [{ room: 'stale', count: 1, groups: {} }] }))
    emit('tick', tick(2_000, { seq: 2, changed: [{ room: 'fresh', count: 2, groups: {} }], removed: ['stale'] }))
    await store.getState().loadRooms()
    expect([...store.getState().rooms.keys()]).toEqual(['fresh'])
    expect(store.getState()).toMatchObject({ liveAt: 2_000, roomsAt: { stream: 'r1', seq: 2 } })
  })

  it('shows no rooms from a tick before the first snapshot, then takes the snapshot, which has it', async () => {
    // A page just opened: a tick arrives before the rooms were asked for. It changed one room of many,
    // so alone it would show one room of the crowd: nothing is shown until the snapshot.
    const { api, emit, call } = fakeApi({ 'rooms.list': () => snapshot('r1', 7, 7_000, [lobby(40), stage(32)], 72) })
    const store = createAppStore(api, 'open')
    emit('tick', tick(7_000, { seq: 7, total: 72, changed: [stage(32)] }))
    expect(store.getState()).toMatchObject({ rooms: expect.objectContaining({ size: 0 }), liveAt: null, roomsAt: null })
    expect(call).not.toHaveBeenCalledWith('rooms.list')
    await store.getState().loadRooms()
    expect([...store.getState().rooms.keys()]).toEqual(['lobby', 'stage'])
    expect(store.getState()).toMatchObject({ liveAt: 7_000, total: 72, roomsAt: { stream: 'r1', seq: 7 } })
    emit('tick', tick(8_000, { seq: 8, total: 73, changed: [lobby(41)] }))
    expect(store.getState().rooms.get('lobby')?.count).toBe(41)
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(1)
  })

  it('applies the ticks that came while the snapshot was on its way on top of it, dropping the older ones', async () => {
    const answer = deferred<RoomsSnapshot>()
    const { api, emit, call } = fakeApi({ 'rooms.list': () => answer.promise })
    const store = createAppStore(api, 'open')
    const loading = store.getState().loadRooms()
    // Sent before the snapshot was taken (the engine was at 5): already in it.
    emit('tick', tick(4_000, { seq: 4, total: 70, changed: [lobby(38)] }))
    emit('tick', tick(5_000, { seq: 5, total: 72, changed: [lobby(40)] }))
    // Sent after it was taken: newer, and carrying only what changed since 5.
    emit('tick', tick(6_000, { seq: 6, total: 75, changed: [stage(35)] }))
    answer.resolve(snapshot('r1', 5, 5_000, [lobby(40), stage(32)], 72))
    await loading
    expect([...store.getState().rooms.values()]).toEqual([lobby(40), stage(35)])
    expect(store.getState()).toMatchObject({ liveAt: 6_000, total: 75, roomsAt: { stream: 'r1', seq: 6 } })
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(1)
  })

  it('takes a snapshot of the same tick as the one that came meanwhile, without asking again', async () => {
    const answer = deferred<RoomsSnapshot>()
    const { api, emit, call } = fakeApi({ 'rooms.list': () => answer.promise })
    const store = createAppStore(api, 'open')
    const loading = store.getState().loadRooms()
    emit('tick', tick(2_000, { seq: 2, total: 72 }))
    answer.resolve(snapshot('r1', 2, 2_000, [lobby(40), stage(32)], 72))
    await loading
    expect([...store.getState().rooms.keys()]).toEqual(['lobby', 'stage'])
    expect(store.getState()).toMatchObject({ liveAt: 2_000, total: 72 })
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(1)
  })

  it('asks for the snapshot when a tick skips one, and shows the rooms held until it comes', async () => {
    let engineAt = 7
    const { api, emit, call } = fakeApi({
      'rooms.list': () => snapshot('r1', engineAt, engineAt * 1_000, [lobby(engineAt)]),
    })
    const store = createAppStore(api, 'open')
    emit('tick', tick(1_000, { changed: [lobby(1)] }))
    // Tick 2 was lost on the way (an event outside the contract is dropped): 3 can't be placed on 1.
    engineAt = 3
    emit('tick', tick(3_000, { seq: 3, changed: [stage(3)] }))
    expect([...store.getState().rooms.values()]).toEqual([lobby(1)])
    expect(store.getState().liveAt).toBe(1_000)
    await vi.waitFor(() => expect(store.getState().roomsAt).toEqual({ stream: 'r1', seq: 3 }))
    expect([...store.getState().rooms.values()]).toEqual([lobby(3)])
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(1)
  })

  it('after switching connections, takes the new reading whatever its numbers and the old ones are', async () => {
    const answers = [snapshot('r1', 500, 500_000, [lobby(50)]), snapshot('r2', 3, 900_000, [stage(9)])]
    const { api, emit } = fakeApi({ 'rooms.list': () => answers.shift() })
    const store = createAppStore(api, 'open')
    store.getState().applyStatus(connected)
    await vi.waitFor(() => expect(store.getState().roomsAt).toEqual({ stream: 'r1', seq: 500 }))
    store.getState().applyStatus({ ...connected, profile: 'staging', profileId: 'p2' })
    await vi.waitFor(() => expect(store.getState().roomsAt).toEqual({ stream: 'r2', seq: 3 }))
    expect([...store.getState().rooms.values()]).toEqual([stage(9)])
    // A late tick of the old reading is not placed; the new reading's next one is, though its number is lower.
    emit('tick', tick(501_000, { seq: 501, changed: [lobby(51)] }))
    emit('tick', tick(901_000, { stream: 'r2', seq: 4, total: 10, changed: [stage(10)] }))
    expect([...store.getState().rooms.values()]).toEqual([stage(10)])
    expect(store.getState()).toMatchObject({ liveAt: 901_000, roomsAt: { stream: 'r2', seq: 4 } })
  })

  it('places a new reading that began while an older snapshot was on its way over it', async () => {
    const answer = deferred<RoomsSnapshot>()
    const { api, emit, call } = fakeApi({ 'rooms.list': () => answer.promise })
    const store = createAppStore(api, 'open')
    const loading = store.getState().loadRooms()
    // The engine connected again right after answering: its new reading's first ticks overtake the answer.
    emit('tick', tick(9_000, { stream: 'r2', seq: 1, total: 7, changed: [stage(7)] }))
    emit('tick', tick(10_000, { stream: 'r2', seq: 2, total: 8, changed: [stage(8)] }))
    answer.resolve(snapshot('r1', 40, 8_000, [lobby(40), stage(3)], 43))
    await loading
    expect([...store.getState().rooms.values()]).toEqual([stage(8)])
    expect(store.getState()).toMatchObject({ total: 8, liveAt: 10_000, roomsAt: { stream: 'r2', seq: 2 } })
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(1)
  })

  it('starts again from a new reading’s first tick (the engine connected again or restarted), dropping rooms it lacks', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    emit('tick', tick(1_000, { changed: [lobby(5), stage(6)] }))
    for (let seq = 2; seq <= 300; seq++) emit('tick', tick(seq * 1_000, { seq, changed: [lobby(seq)] }))
    emit('tick', tick(400_000, { stream: 'r2', seq: 1, total: 7, changed: [lobby(7)] }))
    expect([...store.getState().rooms.values()]).toEqual([lobby(7)])
    emit('tick', tick(401_000, { stream: 'r2', seq: 2, total: 8, changed: [lobby(8)] }))
    expect(store.getState()).toMatchObject({ total: 8, roomsAt: { stream: 'r2', seq: 2 } })
    expect(store.getState().rooms.get('lobby')?.count).toBe(8)
  })

  it('takes a restarted engine’s snapshot when the link comes back, though its numbers are lower', async () => {
    const afterRestart = deferred<RoomsSnapshot>()
    const answers = [Promise.resolve(snapshot('r1', 2, 2_000, [lobby(6)])), afterRestart.promise]
    const { api, emit, call } = fakeApi({ 'status.get': () => connected, 'rooms.list': () => answers.shift() })
    const roomsCalls = () => call.mock.calls.filter(([method]) => method === 'rooms.list').length
    const store = createAppStore(api, 'open')
    store.getState().applyStatus(connected)
    await vi.waitFor(() => expect(store.getState().roomsAt).toEqual({ stream: 'r1', seq: 2 }))
    // The link comes back (the engine restarted): everything is read again.
    const refreshing = store.getState().refresh()
    await vi.waitFor(() => expect(roomsCalls()).toBe(2))
    // The old engine's last tick, still on its way when it went down.
    emit('tick', tick(3_000, { seq: 3, changed: [lobby(99)] }))
    afterRestart.resolve(snapshot('restarted', 2, 9_000, [stage(4)]))
    await refreshing
    expect([...store.getState().rooms.values()]).toEqual([stage(4)])
    expect(store.getState()).toMatchObject({ liveAt: 9_000, roomsAt: { stream: 'restarted', seq: 2 } })
    emit('tick', tick(10_000, { stream: 'restarted', seq: 3, changed: [stage(5)] }))
    expect([...store.getState().rooms.values()]).toEqual([stage(5)])
    // The old reading's tick that came meanwhile is older than the snapshot, not a sign of a missed one.
    expect(roomsCalls()).toBe(2)
  })

  it('shows no rooms when the engine, back after a restart, has not synced yet', async () => {
    const { api, emit } = fakeApi({ 'status.get': () => connected })
    const store = createAppStore(api, 'open')
    store.getState().applyStatus(connected)
    emit('tick', tick(1_000, { total: 5, changed: [lobby(5)] }))
    expect(store.getState().rooms.size).toBe(1)
    await store.getState().refresh()
    expect(store.getState()).toMatchObject({ liveAt: null, total: 0, roomsAt: null })
    expect(store.getState().rooms.size).toBe(0)
  })

  it('shows the same rooms after a page reload as before it', async () => {
    let engine = snapshot('r1', 1, 1_000, [])
    const { api, emit } = fakeApi({ 'status.get': () => connected, 'rooms.list': () => engine })
    const before = createAppStore(api, 'open')
    await before.getState().refresh()
    emit('tick', tick(2_000, { seq: 2, total: 72, changed: [lobby(40), stage(32)] }))
    engine = snapshot('r1', 2, 2_000, [lobby(40), stage(32)], 72)
    const reloaded = createAppStore(api, 'open')
    await reloaded.getState().refresh()
    expect([...reloaded.getState().rooms.values()]).toEqual([...before.getState().rooms.values()])
    emit('tick', tick(3_000, { seq: 3, total: 71, changed: [lobby(39)] }))
    expect(reloaded.getState()).toMatchObject({ total: 71, roomsAt: { stream: 'r1', seq: 3 } })
    expect(reloaded.getState().rooms.get('lobby')?.count).toBe(39)
  })

  it('keeps a reading’s first tick that came while the engine had not synced yet', async () => {
    const answer = deferred<RoomsSnapshot>()
    const { api, emit } = fakeApi({ 'rooms.list': () => answer.promise })
    const store = createAppStore(api, 'open')
    const loading = store.getState().loadRooms()
    emit('tick', tick(1_000, { total: 40, changed: [lobby(40)] }))
    answer.resolve({ at: null, stream: null, seq: 0, total: 0, channels: 0, unmatched: 0, rooms: [] })
    await loading
    expect([...store.getState().rooms.values()]).toEqual([lobby(40)])
    expect(store.getState()).toMatchObject({ total: 40, liveAt: 1_000 })
  })

  it('drops the answer to a snapshot asked for before the connection changed', async () => {
    const first = deferred<RoomsSnapshot>()
    const answers = [first.promise, Promise.resolve(snapshot('r2', 4, 4_000, [stage(2)]))]
    const { api } = fakeApi({ 'rooms.list': () => answers.shift() })
    const store = createAppStore(api, 'open')
    store.getState().applyStatus(connected)
    store.getState().applyStatus({ ...connected, profile: 'staging', profileId: 'p2' })
    await vi.waitFor(() => expect(store.getState().roomsAt).toEqual({ stream: 'r2', seq: 4 }))
    first.resolve(snapshot('r1', 80, 80_000, [lobby(80)]))
    await first.promise
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect([...store.getState().rooms.values()]).toEqual([stage(2)])
  })
})

describe('app store: history slice', () => {
  it('fetches the overview chart with as many points as asked, and not again until its live tail needs it', async () => {
    const { api, call } = fakeApi({ 'history.series': () => [{ room: '*total*', points: [] }] })
    const store = createAppStore(api, 'open')
    const now = 10_000_000
    await store.getState().loadOverviewChart(600, ['a', 'b'], now)
    expect(call).toHaveBeenCalledWith('history.series', {
      rooms: ['a', 'b'],
      from: now - 3_600_000,
      to: now,
      points: 600,
      includeTotal: true,
    })
    await store.getState().loadOverviewChart(600, ['a', 'b'], now + 2_000)
    expect(call.mock.calls.filter(([method]) => method === 'history.series')).toHaveLength(1)
    await store.getState().loadOverviewChart(600, ['a', 'b'], now + 53_000)
    expect(call.mock.calls.filter(([method]) => method === 'history.series')).toHaveLength(1)
    await store.getState().loadOverviewChart(600, ['a', 'b'], now + 54_000)
    expect(call.mock.calls.filter(([method]) => method === 'history.series')).toHaveLength(2)
    await store.getState().loadOverviewChart(300, ['a', 'b'], now + 54_000)
    expect(call.mock.calls.filter(([method]) => method === 'history.series')).toHaveLength(3)
  })

  it('fetches the gaps and events over the chart’s range with it, and draws the chart without them if they fail', async () => {
    const marks = {
      spans: [{ from: 1, to: 2, kind: 'gap', label: 'Headcount stopped', detail: 'Headcount stopped' }],
      instants: [{ t: 3, kind: 'convention', label: 'Naming convention changed', detail: 'a → b' }],
    }
    let failMarks = false
    const { api, call } = fakeApi({
      'history.series': () => [{ room: '*total*', points: [] }],
      'history.groups': () => ({ room: 'a', groups: [], points: [] }),
      'history.annotations': () => {
        if (failMarks) throw new ApiError('failed', 'No history yet')
        return marks
      },
    })
    const store = createAppStore(api, 'open')
    const now = 10_000_000
    await store.getState().loadOverviewChart(600, [], now)
    expect(call).toHaveBeenCalledWith('history.annotations', { from: now - 3_600_000, to: now })
    expect(store.getState().overviewChart?.annotations).toEqual(marks)
    await store.getState().loadRoomChart('a', 600, now)
    expect(store.getState().roomChart?.annotations).toEqual(marks)
    failMarks = true
    await store.getState().loadRoomChart('a', 300, now)
    expect(store.getState().roomChart).toMatchObject({ points: 300, annotations: { spans: [], instants: [] } })
    expect(store.getState().chartError).toBeNull()
  })

  it('fetches the charts again after a tick that began a new reading, where a gap or an event now is', async () => {
    const { api, call } = fakeApi({ 'history.series': () => [{ room: '*total*', points: [] }] })
    const store = createAppStore(api, 'open')
    const now = 10_000_000
    const fetches = () => call.mock.calls.filter(([method]) => method === 'history.series').length
    await store.getState().loadOverviewChart(600, [], now)
    store.getState().applyTick(tick(now + 1_000))
    await store.getState().loadOverviewChart(600, [], now + 1_000)
    expect(fetches()).toBe(1)
    // The sync restarted (a convention change, say): its first tick is a new reading.
    store.getState().applyTick(tick(now + 2_000, { baseline: true }))
    await store.getState().loadOverviewChart(600, [], now + 2_000)
    expect(fetches()).toBe(2)
    await store.getState().loadOverviewChart(600, [], now + 3_000)
    expect(fetches()).toBe(2)
  })

  it('keeps the chart error in words and clears it on success', async () => {
    let fail = true
    const { api } = fakeApi({
      'history.series': () => {
        if (fail) throw new ApiError('failed', 'No history yet: connect to an app first')
        return []
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().loadOverviewChart(100, [], 1_000_000)
    expect(store.getState().chartError).toBe('No history yet: connect to an app first')
    fail = false
    await store.getState().loadOverviewChart(100, [], 2_000_000)
    expect(store.getState().chartError).toBeNull()
  })

  it('fetches sparklines in batches of at most 50 rooms, once per time to live', async () => {
    const { api, call } = fakeApi({
      'history.series': (input) =>
        (input as { rooms: string[] }).rooms.map((room) => ({ room, points: [{ t: 0, value: 1 }] })),
    })
    const store = createAppStore(api, 'open')
    const rooms = Array.from({ length: 120 }, (_, i) => `r${i}`)
    await store.getState().loadSparklines(rooms, 1_000_000)
    const calls = call.mock.calls.filter(([method]) => method === 'history.series')
    expect(calls.map(([, input]) => (input as { rooms: string[] }).rooms.length)).toEqual([50, 50, 20])
    expect(store.getState().sparklines.size).toBe(120)
    await store.getState().loadSparklines(rooms, 1_010_000)
    expect(call.mock.calls.filter(([method]) => method === 'history.series')).toHaveLength(3)
  })
})

describe('app store: export slice', () => {
  it('never rolls a finished export back to running when its start reply arrives late', async () => {
    const { api, emit } = fakeApi({
      'export.start': () => {
        emit('export.progress', {
          id: 'x',
          state: 'done',
          rows: 10,
          estimatedRows: 10,
          file: '/tmp/x.csv',
          error: null,
        })
        return { id: 'x', state: 'running', rows: 0, estimatedRows: null, file: null, error: null }
      },
    })
    const store = createAppStore(api, 'open')
    const outcome = await store.getState().startExport({ kind: 'occupancy', from: 0, to: 1 })
    expect(outcome).toEqual({ ok: true, value: 'x' })
    expect(store.getState().exportJobs.get('x')?.progress.state).toBe('done')
    expect(store.getState().exportJobs.get('x')?.request).toEqual({ kind: 'occupancy', from: 0, to: 1 })
  })

  it("reports the engine's refusal to export", async () => {
    const { api } = fakeApi({
      'export.start': () => {
        throw new ApiError('failed', 'No history yet: connect to an app first')
      },
    })
    const store = createAppStore(api, 'open')
    expect(await store.getState().startExport({ kind: 'sessions', from: 0, to: 1 })).toEqual({
      ok: false,
      error: { code: 'failed', message: 'No history yet: connect to an app first' },
    })
    expect(store.getState().exportJobs.size).toBe(0)
  })
})
