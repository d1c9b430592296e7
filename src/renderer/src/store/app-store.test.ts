import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../shared/envelope.ts'
import type { Tick } from '../../../shared/presence.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'
import { createAppStore } from './app-store.ts'
import { preferencesOf } from './slices/connection-slice.ts'
import { RECENT_CAP, RECENT_WINDOW_MS } from './slices/live-slice.ts'
import { disconnected as status, fakeApi } from './test-api.ts'

const connected: Status = {
  ...status,
  connection: 'connected',
  profile: 'prod',
  profileId: 'p1',
  message: '10 people in 2 rooms',
}

function tick(at: number, change: Partial<Tick> = {}): Tick {
  return {
    at,
    source: 'poll',
    total: 0,
    roomCount: 0,
    channels: 0,
    unmatched: 0,
    joins: 0,
    leaves: 0,
    baseline: false,
    drift: 0,
    changed: [],
    removed: [],
    recent: [],
    ...change,
  }
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
  it('patches rooms from ticks, keeping a new Map per tick', () => {
    const { api, emit } = fakeApi()
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
    emit('tick', tick(2_000, { total: 4, changed: [{ room: 'a', count: 4, groups: { red: 4 } }], removed: ['b'] }))
    const second = store.getState().rooms
    expect(second).not.toBe(first)
    expect([...second.values()]).toEqual([{ room: 'a', count: 4, groups: { red: 4 } }])
    expect(store.getState()).toMatchObject({ liveAt: 2_000, total: 4 })
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

  it('keeps the groups seen, sorted, as the same array until a new one appears', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    const summary = (room: string, groups: Record<string, number>) => ({ room, count: 1, groups })
    emit('tick', tick(1, { changed: [summary('a', { red: 1 }), summary('b', { blue: 1 })] }))
    const first = store.getState().groups
    expect(first).toEqual(['blue', 'red'])
    emit('tick', tick(2, { changed: [summary('a', { blue: 1 })], removed: ['b'] }))
    expect(store.getState().groups).toBe(first)
    emit('tick', tick(3, { changed: [summary('c', { green: 1 })] }))
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

  it('ignores a rooms snapshot older than a tick already applied', async () => {
    const { api, emit } = fakeApi({
      'rooms.list': () => ({
        at: 1_000,
        total: 1,
        channels: 1,
        unmatched: 0,
        rooms: [{ room: 'stale', count: 1, groups: {} }],
      }),
    })
    const store = createAppStore(api, 'open')
    emit('tick', tick(2_000, { changed: [{ room: 'fresh', count: 2, groups: {} }] }))
    await store.getState().loadRooms()
    expect([...store.getState().rooms.keys()]).toEqual(['fresh'])
  })

  it('asks again for a rooms snapshot that a newer tick overtook, and takes the next one', async () => {
    let at = 1_000
    const { api, emit, call } = fakeApi({
      'rooms.list': () => {
        const snapshot = { at, total: 3, channels: 3, unmatched: 0, rooms: [{ room: 'a', count: 3, groups: {} }] }
        at = 2_000
        return snapshot
      },
    })
    const store = createAppStore(api, 'open')
    emit('tick', tick(2_000, { total: 3, roomCount: 1, channels: 3 }))
    await store.getState().loadRooms()
    expect(call.mock.calls.filter(([method]) => method === 'rooms.list')).toHaveLength(2)
    expect([...store.getState().rooms.keys()]).toEqual(['a'])
  })

  it('takes a rooms snapshot of the same moment as the tick already applied: the tick had only its changes', async () => {
    // A poll that changed nothing arrives while the console's first rooms.list is on its way (a page just
    // opened): the tick says 72 people and no changed room, and the snapshot of that poll lists them.
    const { api, emit } = fakeApi({
      'rooms.list': () => ({
        at: 2_000,
        total: 72,
        channels: 72,
        unmatched: 0,
        rooms: [
          { room: 'lobby', count: 40, groups: {} },
          { room: 'stage', count: 32, groups: {} },
        ],
      }),
    })
    const store = createAppStore(api, 'open')
    emit('tick', tick(2_000, { total: 72, roomCount: 2, channels: 72 }))
    await store.getState().loadRooms()
    expect([...store.getState().rooms.keys()]).toEqual(['lobby', 'stage'])
    expect(store.getState()).toMatchObject({ liveAt: 2_000, total: 72 })
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
