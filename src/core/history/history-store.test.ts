import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOTAL_SERIES } from '../../shared/history.ts'
import type { Member, RoomSummary } from '../presence/types.ts'
import { HistoryStore } from './history-store.ts'
import { HistoryFileError, SCHEMA_VERSION } from './schema.ts'
import type { HistoryTick } from './types.ts'

const DAY = 86_400_000
const MIN = 60_000

let dir: string
let path: string
const open: HistoryStore[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-history-'))
  path = join(dir, 'data', 'history.sqlite')
})
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

function openStore(options: Parameters<typeof HistoryStore.open>[1] = {}): HistoryStore {
  const store = HistoryStore.open(path, options)
  open.push(store)
  return store
}

function room(name: string, count: number, groups: Record<string, number> = {}): RoomSummary {
  return { room: name, count, groups }
}

function member(roomName: string, user: string, group: string | null = null): Member {
  return { room: roomName, group, user }
}

function tick(at: number, rooms: RoomSummary[], joins: Member[] = [], leaves: Member[] = []): HistoryTick {
  const total = rooms.reduce((sum, entry) => sum + entry.count, 0)
  return { at, rooms, joins, leaves, total, channels: total, unmatched: 0 }
}

function rawCount(sql: string): number {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return (db.prepare(sql).get() as { n: number }).n
  } finally {
    db.close()
  }
}

function series(store: HistoryStore, name: string, from: number, to: number, points = 1000) {
  const [result] = store.querySeries({ rooms: [name], from, to, points })
  return result?.points
}

describe('HistoryStore: writing and reading ticks', () => {
  it('answers series exactly on small data, with the total, and empty series for unknown rooms', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 2), room('b', 1)]))
    await store.recordTick(tick(6_000, [room('a', 2), room('b', 1)]))
    await store.recordTick(tick(11_000, [room('a', 3), room('b', 1)]))
    const result = store.querySeries({
      rooms: ['a', 'b', 'nowhere'],
      from: 0,
      to: 20_000,
      points: 100,
      includeTotal: true,
    })
    expect(result).toEqual([
      {
        room: TOTAL_SERIES,
        points: [
          { t: 1_000, value: 3 },
          { t: 11_000, value: 4 },
        ],
      },
      {
        room: 'a',
        points: [
          { t: 1_000, value: 2 },
          { t: 11_000, value: 3 },
        ],
      },
      { room: 'b', points: [{ t: 1_000, value: 1 }] },
      { room: 'nowhere', points: [] },
    ])
    // A range starting later opens with the value in effect then.
    expect(series(store, 'a', 7_000, 20_000)).toEqual([
      { t: 7_000, value: 2 },
      { t: 11_000, value: 3 },
    ])
  })

  it('stores a sample only when a summary changes, and a total per tick', async () => {
    const store = openStore()
    for (let i = 0; i < 10; i += 1)
      await store.recordTick(tick(1_000 + i * 5_000, [room('a', 5, { red: 2 }), room('b', 1)]))
    await store.recordTick(tick(60_000, [room('a', 5, { red: 3 }), room('b', 1)]))
    expect(rawCount('SELECT count(*) AS n FROM samples')).toBe(3)
    expect(rawCount('SELECT count(*) AS n FROM ticks')).toBe(11)
  })

  it('drops rooms no longer listed to 0', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 2, { red: 2 }), room('b', 1)]))
    await store.recordTick(tick(2_000, [room('b', 1)]))
    expect(series(store, 'a', 0, 10_000)).toEqual([
      { t: 1_000, value: 2 },
      { t: 2_000, value: 0 },
    ])
    expect(store.rooms()).toEqual([
      { room: 'a', count: 0, groups: {}, changedAt: 2_000 },
      { room: 'b', count: 1, groups: {}, changedAt: 1_000 },
    ])
  })

  it('returns null across gaps, never 0, and resumes after them', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 4)]))
    await store.recordGap({ from: 5_000, to: 15_000, reason: 'Timed out' })
    await store.recordTick(tick(15_000, [room('a', 4)]))
    await store.recordTick(tick(20_000, [room('a', 6)]))
    expect(store.querySeries({ rooms: ['a'], from: 0, to: 30_000, points: 100, includeTotal: true })).toEqual([
      {
        room: TOTAL_SERIES,
        points: [
          { t: 1_000, value: 4 },
          { t: 5_000, value: null },
          { t: 15_000, value: 4 },
          { t: 20_000, value: 6 },
        ],
      },
      {
        room: 'a',
        points: [
          { t: 1_000, value: 4 },
          { t: 5_000, value: null },
          { t: 15_000, value: 4 },
          { t: 20_000, value: 6 },
        ],
      },
    ])
    expect(store.gaps(0, 30_000)).toEqual([
      { from: 5_000, to: 15_000, reason: 'Sync failed: Timed out', cause: 'sync-failed' },
    ])
    // Empty or inverted gaps change nothing.
    await store.recordGap({ from: 25_000, to: 25_000, reason: 'nothing' })
    expect(store.gaps(0, 30_000)).toHaveLength(1)
  })

  it('downsamples to at most the points asked for, keeping the peak and the dip', async () => {
    const store = openStore()
    for (let i = 0; i < 500; i += 1) {
      const count = i === 250 ? 1_000 : i === 260 ? 0 : 10 + (i % 7)
      await store.recordTick(tick(i * 5_000, [room('a', count)]))
    }
    for (const points of [1, 2, 3, 10, 99, 100]) {
      const result = series(store, 'a', 0, 500 * 5_000, points) ?? []
      expect(result.length).toBeLessThanOrEqual(points)
      if (points >= 10) {
        expect(Math.max(...result.map((point) => point.value ?? 0))).toBe(1_000)
        expect(Math.min(...result.map((point) => point.value ?? Infinity))).toBe(0)
      }
    }
  })

  it('gives per-group points for a stacked chart', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 3, { red: 2, blue: 1 })]))
    await store.recordTick(tick(2_000, [room('a', 2, { red: 2 })]))
    await store.recordGap({ from: 3_000, to: 4_000, reason: 'down' })
    expect(store.roomGroupSeries({ room: 'a', from: 0, to: 10_000, points: 100 })).toEqual({
      room: 'a',
      groups: ['blue', 'red'],
      points: [
        { t: 1_000, total: 3, groups: { blue: 1, red: 2 } },
        { t: 2_000, total: 2, groups: { red: 2 } },
        { t: 3_000, total: null, groups: {} },
        { t: 4_000, total: 2, groups: { red: 2 } },
      ],
    })
    const few = store.roomGroupSeries({ room: 'a', from: 0, to: 10_000, points: 2 })
    expect(few.points.length).toBeLessThanOrEqual(2)
    expect(few.points[0]).toEqual({ t: 1_000, total: 3, groups: { blue: 1, red: 2 } })
  })

  it('applies ticks in order even when not awaited, and moves a tick that goes back in time after the last', async () => {
    const store = openStore()
    const writes = [
      store.recordTick(tick(1_000, [room('a', 1)])),
      store.recordTick(tick(2_000, [room('a', 2)])),
      store.recordTick(tick(1_500, [room('a', 3)])),
    ]
    await Promise.all(writes)
    expect(series(store, 'a', 0, 10_000)).toEqual([
      { t: 1_000, value: 1 },
      { t: 2_000, value: 2 },
      { t: 2_001, value: 3 },
    ])
  })

  it('rejects bad input clearly', async () => {
    const store = openStore()
    await expect(store.recordTick(tick(Number.NaN, []))).rejects.toThrow(/tick.at/)
    await expect(store.recordGap({ from: Number.NaN, to: 1, reason: 'x' })).rejects.toThrow(/gap/)
    expect(() => store.querySeries({ rooms: ['a'], from: 10, to: 5, points: 10 })).toThrow(/before/)
    expect(() => store.querySeries({ rooms: ['a'], from: 0, to: 5, points: 0 })).toThrow(/points/)
  })
})

describe('HistoryStore: sessions', () => {
  it('opens sessions on joins and closes them on leaves, including a change of group in one tick', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 2, { red: 1 })], [member('a', 'max', 'red'), member('a', 'ann')]))
    await store.recordTick(
      tick(2_000, [room('a', 2, { blue: 1 })], [member('a', 'max', 'blue')], [member('a', 'max', 'red')]),
    )
    await store.recordTick(tick(3_000, [room('a', 1, { blue: 1 })], [], [member('a', 'ann')]))
    const { sessions, more } = store.sessions({ room: 'a' })
    expect(more).toBe(false)
    expect(sessions.map(({ id: _id, joinNote: _join, leaveNote: _leave, ...rest }) => rest)).toEqual([
      { room: 'a', user: 'max', group: 'blue', joined: 2_000, left: null },
      { room: 'a', user: 'max', group: 'red', joined: 1_000, left: 2_000 },
      { room: 'a', user: 'ann', group: null, joined: 1_000, left: 3_000 },
    ])
    expect(store.openSessions('a').map((session) => session.user)).toEqual(['max'])
    expect(store.openSessionCount()).toBe(1)
  })

  it('filters and pages sessions', async () => {
    const store = openStore()
    const joins = Array.from({ length: 25 }, (_, i) => member(i % 2 ? 'a' : 'b', `u${String(i).padStart(2, '0')}`))
    await store.recordTick(tick(1_000, [room('a', 12), room('b', 13)], joins))
    await store.recordTick(tick(5_000, [room('a', 11), room('b', 13)], [], [member('a', 'u01')]))
    const page1 = store.sessions({ limit: 10 })
    const page3 = store.sessions({ limit: 10, offset: 20 })
    expect(page1.sessions).toHaveLength(10)
    expect(page1.more).toBe(true)
    expect(page3.sessions).toHaveLength(5)
    expect(page3.more).toBe(false)
    expect(store.sessions({ user: 'u01' }).sessions).toMatchObject([{ room: 'a', left: 5_000 }])
    // Open at some time in [6000, 9000): everyone but u01.
    expect(store.sessions({ from: 6_000, to: 9_000, limit: 100 }).sessions).toHaveLength(24)
    expect(store.sessions({ to: 1_000 }).sessions).toHaveLength(0)
    expect(store.openSessions('a', { search: 'U0' }).map((session) => session.user)).toEqual([
      'u03',
      'u05',
      'u07',
      'u09',
    ])
    expect(store.sessions({ room: 'nowhere' })).toEqual({ sessions: [], more: false })
  })
})

describe('HistoryStore: chunked writes', () => {
  it('writes a big tick in many transactions and reads back exactly', async () => {
    const store = openStore({ chunkBudgetMs: 0 })
    const joins = Array.from({ length: 5_000 }, (_, i) =>
      member(`r${i % 7}`, `user-${(i * 7919) % 5_000}`, i % 3 ? 'g' : null),
    )
    const counts = new Map<string, number>()
    for (const join of joins) counts.set(join.room, (counts.get(join.room) ?? 0) + 1)
    const rooms = [...counts].map(([name, count]) => room(name, count))
    await store.recordTick(tick(1_000, rooms, joins))
    expect(store.openSessionCount()).toBe(5_000)
    await store.recordTick(tick(2_000, [], [], joins))
    expect(store.openSessionCount()).toBe(0)
    expect(store.querySeries({ rooms: ['r0'], from: 0, to: 3_000, points: 10, includeTotal: true })).toEqual([
      {
        room: TOTAL_SERIES,
        points: [
          { t: 1_000, value: 5_000 },
          { t: 2_000, value: 0 },
        ],
      },
      {
        room: 'r0',
        points: [
          { t: 1_000, value: counts.get('r0') },
          { t: 2_000, value: 0 },
        ],
      },
    ])
  })

  it('undoes a tick whose write fails part-way, leaving the file as if it never came', async () => {
    const store = openStore({ chunkBudgetMs: 0 })
    await store.recordTick(tick(1_000, [room('a', 1)], [member('a', 'first')]))
    const joins = Array.from({ length: 3_000 }, (_, i) => member('a', `user-${i}`))
    // A total that is not a number fails the very last write of the tick, after other chunks committed.
    const bad = { ...tick(2_000, [room('a', 3_001)], joins), total: null as unknown as number }
    await expect(store.recordTick(bad)).rejects.toThrow()
    expect(store.openSessionCount()).toBe(1)
    expect(rawCount('SELECT count(*) AS n FROM samples WHERE t = 2000')).toBe(0)
    await store.recordTick(tick(3_000, [room('a', 2)], [member('a', 'second')]))
    expect(series(store, 'a', 0, 5_000)).toEqual([
      { t: 1_000, value: 1 },
      { t: 3_000, value: 2 },
    ])
    expect(store.openSessionCount()).toBe(2)
  })
})

describe('HistoryStore: retention and roll-ups', () => {
  const now = 30 * DAY

  /** A day of ticks every 5 s, ending `daysAgo` before now, with room a's count following `countAt`. */
  async function fill(store: HistoryStore, startAt: number, endAt: number, countAt: (t: number) => number) {
    for (let t = startAt; t < endAt; t += 5_000)
      await store.recordTick(tick(t, [room('a', countAt(t), { g: countAt(t) })]))
  }

  it('rolls raw samples older than the raw retention into minutes and reads them from there', async () => {
    const store = openStore({ rawRetentionDays: 1, rollupRetentionDays: 5, now: () => now })
    const start = now - 2 * DAY
    // Counts: 10 for a while, a burst 10→40→20 inside one minute, then 20.
    const countAt = (t: number) => (t < start + 10 * MIN ? 10 : t < start + 10 * MIN + 20_000 ? 40 : 20)
    await fill(store, start, start + 30 * MIN, countAt)
    await fill(store, now - 10 * MIN, now, () => 7)
    const before = series(store, 'a', start, start + 30 * MIN)
    expect(before).toEqual([
      { t: start, value: 10 },
      { t: start + 10 * MIN, value: 40 },
      { t: start + 10 * MIN + 20_000, value: 20 },
    ])

    const report = await store.applyRetention()
    expect(report.rawFloor).toBe(now - DAY)
    expect(report.deletedSamples).toBeGreaterThan(0)
    // Raw rows under the floor are gone (but the last, where later data starts from).
    expect(rawCount(`SELECT count(*) AS n FROM samples WHERE t < ${now - DAY}`)).toBe(1)
    expect(rawCount('SELECT count(*) AS n FROM rollups')).toBe(2)
    // Roll-up rows for the minutes with changes: min/max/avg/last per minute.
    const db = new DatabaseSync(path, { readOnly: true })
    const rows = db.prepare('SELECT minute, min, max, avg, last FROM rollups ORDER BY minute').all()
    db.close()
    expect(rows).toEqual([
      { minute: start, min: 10, max: 10, avg: 10, last: 10 },
      { minute: start + 10 * MIN, min: 20, max: 40, avg: (40 * 20 + 20 * 40) / 60, last: 20 },
    ])

    // Read back from roll-ups (500 buckets of 3.6 s): the minute with a spread shows its max at its
    // start, then its last value from the next bucket on.
    const points = series(store, 'a', start, start + 30 * MIN) ?? []
    expect(points).toEqual([
      { t: start, value: 10 },
      { t: start + 10 * MIN, value: 40 },
      { t: start + 10 * MIN + 1_200, value: 20 },
    ])
    // Downsampled hard, the peak still shows.
    const coarse = series(store, 'a', start - 30 * MIN, start + 90 * MIN, 4) ?? []
    expect(coarse).toEqual([
      { t: start, value: 10 },
      { t: start + 10 * MIN, value: 40 },
      { t: start + 30 * MIN, value: 20 },
    ])
    // A range across the floor reads roll-ups, then raw samples.
    const across = series(store, 'a', start, now, 100) ?? []
    expect(across.length).toBeLessThanOrEqual(100)
    expect(across.at(-1)).toEqual({ t: now - 10 * MIN, value: 7 })
    expect(Math.max(...across.map((point) => point.value ?? 0))).toBe(40)
    // Total roll-ups too.
    const [total] = store.querySeries({
      rooms: [],
      from: start,
      to: start + 30 * MIN,
      points: 1000,
      includeTotal: true,
    })
    expect(total?.points).toEqual(points)
  })

  it('keeps roll-ups for their own retention and nothing older', async () => {
    const store = openStore({ rawRetentionDays: 1, rollupRetentionDays: 3, now: () => now })
    await fill(store, now - 5 * DAY, now - 5 * DAY + 5 * MIN, () => 3)
    await fill(store, now - 2 * DAY, now - 2 * DAY + 5 * MIN, () => 4)
    await store.recordGap({ from: now - 4 * DAY, to: now - 4 * DAY + MIN, reason: 'old' })
    await store.recordError({ at: now - 4 * DAY, kind: 'timeout', message: 'old' })
    await store.applyRetention()
    // Nothing before the roll-up floor; the value then is known from the last kept roll-up.
    const points = series(store, 'a', now - 6 * DAY, now)
    expect(points).toEqual([
      { t: now - 3 * DAY, value: 3 },
      { t: now - 2 * DAY, value: 4 },
    ])
    expect(series(store, 'a', now - 6 * DAY, now - 5 * DAY)).toEqual([])
    expect(store.gaps(0, now)).toEqual([])
    expect(store.errors(0, now)).toEqual([])
  })

  it('deletes closed sessions older than the raw retention, never open ones', async () => {
    const store = openStore({ rawRetentionDays: 1, rollupRetentionDays: 2, now: () => now })
    await store.recordTick(tick(now - 3 * DAY, [room('a', 2)], [member('a', 'stays'), member('a', 'goes')]))
    await store.recordTick(tick(now - 3 * DAY + MIN, [room('a', 1)], [], [member('a', 'goes')]))
    await store.recordTick(tick(now - MIN, [room('a', 2)], [member('a', 'new')]))
    const report = await store.applyRetention()
    expect(report.deletedSessions).toBe(1)
    expect(
      store
        .sessions({})
        .sessions.map((session) => session.user)
        .sort(),
    ).toEqual(['new', 'stays'])
  })

  it('is configurable at runtime and runs again harmlessly', async () => {
    const store = openStore({ now: () => now })
    expect(store.getRetention()).toEqual({ rawRetentionDays: 7, rollupRetentionDays: 90 })
    store.setRetention({ rawRetentionDays: 2 })
    expect(store.getRetention()).toEqual({ rawRetentionDays: 2, rollupRetentionDays: 90 })
    // Roll-ups cannot be kept for less than raw samples.
    store.setRetention({ rollupRetentionDays: 1 })
    expect(store.getRetention()).toEqual({ rawRetentionDays: 2, rollupRetentionDays: 2 })
    expect(() => store.setRetention({ rawRetentionDays: 0 })).toThrow(/positive/)
    await fill(store, now - 3 * DAY, now - 3 * DAY + 3 * MIN, (t) => (t % MIN === 0 ? 5 : 6))
    await store.applyRetention()
    const once = series(store, 'a', now - 4 * DAY, now)
    await store.applyRetention()
    expect(series(store, 'a', now - 4 * DAY, now)).toEqual(once)
  })
})

describe('HistoryStore: files', () => {
  function digest(file: string): string {
    return createHash('sha256').update(readFileSync(file)).digest('hex')
  }

  it('creates its folder and file, and reopens them', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [room('a', 1)]))
    await store.close()
    const again = openStore()
    expect(again.rooms().map((entry) => entry.room)).toEqual(['a'])
    expect(rawCount('SELECT max(version) AS n FROM schema_migrations')).toBe(SCHEMA_VERSION)
  })

  it('refuses a file that is not SQLite without touching it', () => {
    const file = join(dir, 'notes.sqlite')
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(10))
    const before = digest(file)
    expect(() => HistoryStore.open(file)).toThrow(HistoryFileError)
    expect(() => HistoryStore.open(file)).toThrow(/not an SQLite file/)
    expect(digest(file)).toBe(before)
  })

  it('refuses another application’s SQLite database without touching it', () => {
    const file = join(dir, 'other.sqlite')
    const db = new DatabaseSync(file)
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ann')")
    db.close()
    const before = digest(file)
    expect(() => HistoryStore.open(file)).toThrow(/belongs to another application/)
    expect(digest(file)).toBe(before)
  })

  it('refuses a history written by a newer version', async () => {
    const store = openStore()
    await store.close()
    const db = new DatabaseSync(path)
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(SCHEMA_VERSION + 1)
    db.close()
    expect(() => HistoryStore.open(path)).toThrow(/newer Headcount/)
  })

  it('refuses a folder, and a missing file when opened read-only', () => {
    expect(() => HistoryStore.open(dir)).toThrow(/is a folder/)
    expect(() => HistoryStore.open(join(dir, 'missing.sqlite'), { readOnly: true })).toThrow(/No history database/)
  })

  it('reads without writing when opened read-only', async () => {
    const writer = openStore()
    await writer.recordTick(tick(1_000, [room('a', 1)]))
    const reader = openStore({ readOnly: true })
    expect(series(reader, 'a', 0, 5_000)).toEqual([{ t: 1_000, value: 1 }])
    await expect(reader.recordTick(tick(2_000, []))).rejects.toThrow(/read-only/)
  })

  it('refuses writes after close', async () => {
    const store = openStore()
    await store.close()
    await expect(store.recordTick(tick(1, []))).rejects.toThrow(/closed/)
  })
})
