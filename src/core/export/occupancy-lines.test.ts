import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvRecord, type CsvValue } from '../../shared/csv.ts'
import { TOTAL_SERIES } from '../../shared/history.ts'
import { bucketize } from '../history/buckets.ts'
import { HistoryStore } from '../history/history-store.ts'
import { parseGroups, withoutRepeats, type Step } from '../history/steps.ts'
import type { RoomSummary } from '../presence/types.ts'
import { exportOccupancyCsv, RESOLUTION_MS, type Resolution } from './history-export.ts'
import { exportWideOccupancyCsv } from './wide-occupancy.ts'

/**
 * The fast occupancy export (each line one string, cells escaped once, groups reused while they
 * repeat, times formatted without Date) must write the very bytes of the straightforward way: every
 * record an array of cells through csvRecord, groups parsed anew for each. That way is kept here as
 * the reference and both are run over a history with everything the format has to say.
 */
function* referenceRecords(
  store: HistoryStore,
  rooms: readonly string[],
  from: number,
  to: number,
  resolution: Resolution,
): Generator<CsvValue[]> {
  const groups = store.groupNames(rooms)
  const width = resolution === 'raw' ? null : RESOLUTION_MS[resolution]
  yield [
    'time',
    'room',
    'count',
    ...(width === null ? [] : ['min', 'max', 'avg']),
    'gap',
    ...groups.map((group) => `group:${group}`),
  ]
  const series: { name: string; steps: Iterable<Step> | null }[] = [
    { name: TOTAL_SERIES, steps: store.totalOccupancySteps(from, to) },
    ...rooms.map((room) => ({ name: room, steps: store.occupancySteps(room, from, to) })),
  ]
  for (const { name, steps } of series) {
    if (!steps) continue
    const firstSeen = name === TOTAL_SERIES ? null : store.groupsFirstSeen(name)
    const groupCells = (json: string | undefined, count: number, until: number): CsvValue[] => {
      if (firstSeen === null) return groups.map(() => null)
      const counts = parseGroups(json)
      const read = count === 0 || Object.keys(counts).length > 0
      return groups.map((group) => {
        const since = firstSeen.get(group)
        return read && since !== undefined && since < until ? (counts[group] ?? 0) : null
      })
    }
    if (width === null) {
      for (const step of withoutRepeats(steps)) {
        if (step.kind === 'unknown') continue
        if (step.kind === 'gap')
          yield [new Date(step.t).toISOString(), name, null, step.reason, ...groups.map(() => null)]
        else
          yield [
            new Date(step.t).toISOString(),
            name,
            step.value,
            null,
            ...groupCells(step.groups, step.value, step.t + 1),
          ]
      }
      continue
    }
    const origin = Math.floor(from / width) * width
    for (const bucket of bucketize(steps, { from, to, origin, width })) {
      const start = new Date(origin + bucket.index * width).toISOString()
      if (bucket.covered === 0) yield [start, name, null, null, null, null, bucket.gapReason, ...groups.map(() => null)]
      else
        yield [
          start,
          name,
          bucket.last,
          bucket.lo,
          bucket.hi,
          Math.round((bucket.weighted / bucket.covered) * 1000) / 1000,
          bucket.gapReason,
          ...groupCells(bucket.lastGroups, bucket.last ?? 0, bucket.end),
        ]
    }
  }
}

const DAY = 86_400_000
const T0 = Date.UTC(2026, 4, 10, 22, 0, 0)
const TICKS = 2_000
const END = T0 + TICKS * 5_000

let dir: string
let store: HistoryStore
const rooms = ['lobby', '=SUM(A1)', 'hall, "east"', 'quiet', 'late']

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-export-lines-'))
  store = HistoryStore.open(join(dir, 'history.sqlite'))
  let state = 42
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
  const counts = new Map(rooms.map((room, i) => [room, 10 * (i + 1)]))
  for (let n = 0; n < TICKS; n += 1) {
    const at = T0 + n * 5_000
    const summaries: RoomSummary[] = []
    for (const room of rooms) {
      // `late` appears a third of the way in; `quiet` rarely changes; `lobby` changes every tick.
      if (room === 'late' && n < TICKS / 3) continue
      let count = counts.get(room) as number
      if (room === 'lobby' || next() < (room === 'quiet' ? 0.01 : 0.2))
        count = Math.max(0, count + Math.round((next() - 0.5) * 8))
      if (room === '=SUM(A1)' && n % 300 < 20) count = 0
      counts.set(room, count)
      // Groups appear one after another; `hall` is read without groups for a while (a convention without {group}).
      const groups: Record<string, number> = {}
      if (n >= 100) groups.red = Math.floor(count / 2)
      if (n >= 720 && room !== 'quiet') groups['-blue'] = Math.floor(count / 4)
      if (n >= 1_200 && room === 'lobby') groups['g,"q"'] = count % 3
      summaries.push({ room, count, groups: room === 'hall, "east"' && n > 900 && n < 1_100 ? {} : groups })
    }
    const total = summaries.reduce((sum, room) => sum + room.count, 0)
    await store.recordTick({ at, rooms: summaries, joins: [], leaves: [], total, channels: total, unmatched: 0 })
    if (n === 400)
      await store.recordGap({ from: at - 37_000, to: at, reason: 'Timed out, "again"', cause: 'sync-failed' })
    if (n === 402) await store.recordGap({ from: at - 3_000, to: at + 1_000, reason: '', cause: 'stopped' })
    if (n === 1_500) await store.recordGap({ from: at - 600_000, to: at - 1_000, reason: 'moved', cause: 'switched' })
    if (n === 1_505) await store.recordGap({ from: at - 20_000, to: at - 4_000, reason: '=cmd', cause: 'convention' })
  }
  // Roll the first part up, as if a week has passed: the export then reads roll-ups, then raw samples.
  await store.applyRetention(T0 + 7 * DAY + 2_000 * 1_000)
}, 120_000)

afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('occupancy export lines', () => {
  const ranges: [string, number, number][] = [
    ['the whole history and beyond', T0 - 3_600_000, END + 3_600_000],
    ['a range starting mid-interval, across midnight', T0 + 1_234_567, T0 + 9_000_321],
  ]
  for (const resolution of ['raw', '10s', '1m', '1h'] as const) {
    for (const [label, from, to] of ranges) {
      it(`writes the same bytes as record by record at ${resolution}, ${label}`, { timeout: 60_000 }, async () => {
        const out = join(dir, `${resolution}.csv`)
        const result = await exportOccupancyCsv(store, { out, rooms, from, to, resolution })
        let expected = ''
        for (const record of referenceRecords(store, rooms, from, to, resolution)) expected += csvRecord(record)
        const text = readFileSync(out, 'utf8')
        expect(text.length).toBeGreaterThan(1_000)
        expect(text).toBe(expected)
        expect(result.rows).toBe(expected.split('\r\n').length - 2)
        // Everything the history holds is in it: gaps of each cause, groups appearing, every room.
        if (resolution !== '1h') {
          expect(text).toContain('Timed out, ""again""')
          expect(text).toContain(`"'=SUM(A1)"`)
          expect(text).toContain('"hall, ""east"""')
        }
      })
    }
  }

  for (const resolution of ['10s', '1m', '1h'] as const) {
    it(
      `writes each wide row as the long layout's counts through csvRecord at ${resolution}`,
      { timeout: 60_000 },
      async () => {
        const [, from, to] = ranges[1] as [string, number, number]
        const width = RESOLUTION_MS[resolution]
        const origin = Math.floor(from / width) * width
        const columns = [TOTAL_SERIES, ...rooms]
        const counts = new Map<string, CsvValue>()
        for (const [time, room, count] of referenceRecords(store, rooms, from, to, resolution))
          counts.set(`${String(time)} ${String(room)}`, count)
        let expected = csvRecord(['time', ...columns])
        for (let t = origin; t < to; t += width) {
          const time = new Date(t).toISOString()
          expected += csvRecord([time, ...columns.map((column) => counts.get(`${time} ${column}`) ?? null)])
        }
        const out = join(dir, `wide-${resolution}.csv`)
        await exportWideOccupancyCsv(store, { out, rooms, from, to, resolution, cellsPerBlock: 700 })
        const text = readFileSync(out, 'utf8')
        expect(text).toBe(expected)
        if (resolution !== '1h') expect(text).toContain(',,')
      },
    )
  }

  it('reads a group named like an object property as its own count', async () => {
    const odd = HistoryStore.open(join(dir, 'odd.sqlite'))
    try {
      const at = Date.UTC(2026, 0, 1)
      await odd.recordTick({
        at,
        rooms: [{ room: 'r', count: 3, groups: { constructor: 2, toString: 1 } }],
        joins: [],
        leaves: [],
        total: 3,
        channels: 3,
        unmatched: 0,
      })
      await odd.recordTick({
        at: at + 5_000,
        rooms: [{ room: 'r', count: 2, groups: { toString: 2 } }],
        joins: [],
        leaves: [],
        total: 2,
        channels: 2,
        unmatched: 0,
      })
      const out = join(dir, 'odd.csv')
      await exportOccupancyCsv(odd, { out, from: at, to: at + 10_000, resolution: 'raw', includeTotal: false })
      expect(readFileSync(out, 'utf8').split('\r\n').slice(0, 3)).toEqual([
        'time,room,count,gap,group:constructor,group:toString',
        `${new Date(at).toISOString()},r,3,,2,1`,
        `${new Date(at + 5_000).toISOString()},r,2,,0,2`,
      ])
    } finally {
      await odd.close()
    }
  })
})
