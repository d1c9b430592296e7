import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../history/history-store.ts'
import type { HistoryTick } from '../history/types.ts'
import type { Member, RoomSummary } from '../presence/types.ts'
import { exportOccupancyCsv, exportSessionsCsv, type RowProgress } from './history-export.ts'

const T0 = Date.UTC(2026, 0, 2, 3, 0, 0)
const iso = (ms: number) => new Date(ms).toISOString()

let dir: string
let store: HistoryStore
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-export-'))
  store = HistoryStore.open(join(dir, 'history.sqlite'))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

function tick(at: number, rooms: RoomSummary[], joins: Member[] = [], leaves: Member[] = []): HistoryTick {
  const total = rooms.reduce((sum, room) => sum + room.count, 0)
  return { at, rooms, joins, leaves, total, channels: total, unmatched: 0 }
}

function lines(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  expect(text.endsWith('\r\n')).toBe(true)
  return text.slice(0, -2).split('\r\n')
}

async function smallHistory() {
  await store.recordTick(
    tick(
      T0,
      [
        { room: 'a', count: 2, groups: { red: 2 } },
        { room: '=evil', count: 1, groups: {} },
      ],
      [
        { room: 'a', group: 'red', user: 'max' },
        { room: 'a', group: 'red', user: '+ann' },
        { room: '=evil', group: null, user: 'x,"y"' },
      ],
    ),
  )
  await store.recordTick(
    tick(
      T0 + 5_000,
      [
        { room: 'a', count: 3, groups: { red: 2, blue: 1 } },
        { room: '=evil', count: 1, groups: {} },
      ],
      [{ room: 'a', group: 'blue', user: 'bob' }],
    ),
  )
  await store.recordGap({ from: T0 + 10_000, to: T0 + 20_000, reason: 'Timed out, again' })
  await store.recordTick(
    tick(
      T0 + 20_000,
      [{ room: 'a', count: 1, groups: { blue: 1 } }],
      [],
      [
        { room: 'a', group: 'red', user: 'max' },
        { room: 'a', group: 'red', user: '+ann' },
        { room: '=evil', group: null, user: 'x,"y"' },
      ],
    ),
  )
}

describe('occupancy export', () => {
  it('writes every change at raw resolution, gaps marked, the total first, names neutralised', async () => {
    await smallHistory()
    const out = join(dir, 'raw.csv')
    const result = await exportOccupancyCsv(store, { out, from: T0, to: T0 + 60_000, resolution: 'raw' })
    expect(lines(out)).toEqual([
      'time,room,count,gap,group:blue,group:red',
      `${iso(T0)},*total*,3,,,`,
      `${iso(T0 + 5_000)},*total*,4,,,`,
      `${iso(T0 + 10_000)},*total*,,"Sync failed: Timed out, again",,`,
      `${iso(T0 + 20_000)},*total*,1,,,`,
      // Blank, not 0: this room's channels carry no group, and blue had not appeared in a yet.
      `${iso(T0)},"'=evil",1,,,`,
      `${iso(T0 + 10_000)},"'=evil",,"Sync failed: Timed out, again",,`,
      `${iso(T0 + 20_000)},"'=evil",0,,,`,
      `${iso(T0)},a,2,,,2`,
      `${iso(T0 + 5_000)},a,3,,1,2`,
      `${iso(T0 + 10_000)},a,,"Sync failed: Timed out, again",,`,
      `${iso(T0 + 20_000)},a,1,,1,0`,
    ])
    expect(result).toEqual({ rows: 11, path: out })
  })

  it('aggregates per interval: last value, min, max, time-weighted mean, gaps named', async () => {
    await smallHistory()
    const out = join(dir, '10s.csv')
    await exportOccupancyCsv(store, {
      out,
      rooms: ['a'],
      includeTotal: false,
      from: T0,
      to: T0 + 30_000,
      resolution: '10s',
    })
    expect(lines(out)).toEqual([
      'time,room,count,min,max,avg,gap,group:blue,group:red',
      `${iso(T0)},a,3,2,3,2.5,,1,2`,
      `${iso(T0 + 10_000)},a,,,,,"Sync failed: Timed out, again",,`,
      `${iso(T0 + 20_000)},a,1,1,1,1,,1,0`,
    ])
  })

  it('aligns intervals to UTC and computes over the part covered', async () => {
    await smallHistory()
    const out = join(dir, '1m.csv')
    await exportOccupancyCsv(store, {
      out,
      rooms: ['a'],
      includeTotal: false,
      from: T0 - 30_000,
      to: T0 + 60_000,
      resolution: '1m',
    })
    // The first minute starts before the data (skipped); the second has 2 (5 s), 3 (5 s), a gap (10 s), then 1 (40 s).
    const avg = Math.round(((2 * 5 + 3 * 5 + 1 * 40) / 50) * 1000) / 1000
    expect(lines(out)).toEqual([
      'time,room,count,min,max,avg,gap,group:blue,group:red',
      `${iso(T0)},a,1,1,3,${avg},"Sync failed: Timed out, again",1,0`,
    ])
  })

  it('reports progress and an estimate', async () => {
    for (let i = 0; i < 3_000; i += 1)
      await store.recordTick(tick(T0 + i * 1_000, [{ room: 'a', count: i % 2, groups: {} }]))
    const progress: RowProgress[] = []
    const out = join(dir, 'progress.csv')
    const result = await exportOccupancyCsv(store, {
      out,
      from: T0,
      to: T0 + 3_000_000,
      resolution: 'raw',
      onProgress: (event) => progress.push(event),
      progressEveryMs: 0,
    })
    expect(result.rows).toBe(6_000)
    expect(progress.length).toBeGreaterThan(2)
    expect(progress.at(-1)).toEqual({ rows: 6_000, estimatedRows: 6_000 })
    expect(progress[0]?.estimatedRows).toBeGreaterThanOrEqual(6_000)
    for (let i = 1; i < progress.length; i += 1)
      expect((progress[i] as RowProgress).rows).toBeGreaterThanOrEqual((progress[i - 1] as RowProgress).rows)
  })

  it('removes the partial file when cancelled, and never shows it under the final name', async () => {
    for (let i = 0; i < 3_000; i += 1)
      await store.recordTick(tick(T0 + i * 1_000, [{ room: 'a', count: i % 2, groups: {} }]))
    const out = join(dir, 'cancelled.csv')
    const controller = new AbortController()
    let sawFinalName = false
    const run = exportOccupancyCsv(store, {
      out,
      from: T0,
      to: T0 + 3_000_000,
      resolution: 'raw',
      signal: controller.signal,
      progressEveryMs: 0,
      onProgress: ({ rows }) => {
        sawFinalName ||= readdirSync(dir).includes('cancelled.csv')
        if (rows >= 1_000) controller.abort(new Error('stop'))
      },
    })
    await expect(run).rejects.toThrow('stop')
    expect(sawFinalName).toBe(false)
    expect(readdirSync(dir).filter((name) => name.includes('cancelled'))).toEqual([])
  })

  it('refuses to start with an already-aborted signal, and fails clearly for a missing folder', async () => {
    await smallHistory()
    await expect(
      exportOccupancyCsv(store, {
        out: join(dir, 'x.csv'),
        from: T0,
        to: T0 + 1,
        resolution: 'raw',
        signal: AbortSignal.abort(),
      }),
    ).rejects.toThrow()
    await expect(
      exportOccupancyCsv(store, { out: join(dir, 'missing', 'x.csv'), from: T0, to: T0 + 1, resolution: 'raw' }),
    ).rejects.toThrow(/ENOENT/)
    expect(readdirSync(dir).filter((name) => name.endsWith('.csv') || name.endsWith('.partial'))).toEqual([])
  })
})

describe('occupancy export: unknown is blank', () => {
  it('leaves a group blank before it first appeared and while channels carry no group', async () => {
    await store.recordTick(tick(T0, [{ room: 'a', count: 1127, groups: {} }]))
    await store.recordTick(tick(T0 + 5_000, [{ room: 'a', count: 1127, groups: { red: 700, blue: 427 } }]))
    await store.recordTick(tick(T0 + 10_000, [{ room: 'a', count: 700, groups: { red: 700 } }]))
    const out = join(dir, 'groups.csv')
    await exportOccupancyCsv(store, { out, from: T0, to: T0 + 60_000, resolution: 'raw', includeTotal: false })
    expect(lines(out)).toEqual([
      'time,room,count,gap,group:blue,group:red',
      `${iso(T0)},a,1127,,,`,
      `${iso(T0 + 5_000)},a,1127,,427,700`,
      `${iso(T0 + 10_000)},a,700,,0,700`,
    ])
    await exportOccupancyCsv(store, { out, from: T0, to: T0 + 60_000, resolution: '1m', includeTotal: false })
    expect(lines(out)[1]).toBe(
      `${iso(T0)},a,700,700,1127,${Math.round(((1127 * 10 + 700 * 50) / 60) * 1000) / 1000},,0,700`,
    )
  })
})

describe('sessions export', () => {
  it('neutralises every cell a spreadsheet could run, including a leading semicolon, tab or CR', async () => {
    await store.recordTick(
      tick(
        T0,
        [{ room: ';lobby', count: 4, groups: {} }],
        [
          { room: ';lobby', group: null, user: ';=1+1' },
          { room: ';lobby', group: null, user: '-2' },
          { room: ';lobby', group: null, user: '\tcmd' },
          { room: ';lobby', group: null, user: '\rcmd' },
        ],
      ),
    )
    const out = join(dir, 'sessions.csv')
    await exportSessionsCsv(store, { out })
    const rows = lines(out).slice(1)
    expect(rows.map((row) => row.slice(0, row.indexOf(',,')))).toEqual([
      `"';lobby","'\tcmd"`,
      `"';lobby","'\rcmd"`,
      `"';lobby","'-2"`,
      `"';lobby","';=1+1"`,
    ])
  })

  it('writes room, user, group, joined, left and duration, escaped and neutralised, with notes', async () => {
    await smallHistory()
    const out = join(dir, 'sessions.csv')
    const result = await exportSessionsCsv(store, { out })
    // Those gone after the gap left during it: closed when last seen, and marked so.
    const inGap = 'left during a gap; this is when last seen'
    expect(lines(out)).toEqual([
      'room,user,group,joined,left,duration_s,join_note,leave_note',
      `"'=evil","x,""y""",,${iso(T0)},${iso(T0 + 5_000)},5,,${inGap}`,
      `a,"'+ann",red,${iso(T0)},${iso(T0 + 5_000)},5,,${inGap}`,
      `a,max,red,${iso(T0)},${iso(T0 + 5_000)},5,,${inGap}`,
      `a,bob,blue,${iso(T0 + 5_000)},,,,`,
    ])
    expect(result.rows).toBe(4)
    await exportSessionsCsv(store, { out, rooms: ['a'], from: T0 + 30_000, to: T0 + 40_000 })
    expect(lines(out)).toEqual([
      'room,user,group,joined,left,duration_s,join_note,leave_note',
      `a,bob,blue,${iso(T0 + 5_000)},,,,`,
    ])
  })

  it('says when a session was first seen after a gap rather than seen joining', async () => {
    const first = tick(T0, [{ room: 'a', count: 1, groups: {} }], [{ room: 'a', group: null, user: 'ann' }])
    await store.recordTick({ ...first, baseline: true })
    const out = join(dir, 'first.csv')
    await exportSessionsCsv(store, { out })
    expect(lines(out)[1]).toBe(
      `a,ann,,${iso(T0)},,,already present when Headcount began or resumed watching; joined at this time or before,`,
    )
  })
})
