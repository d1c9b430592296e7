// History and CSV export figures (DESIGN.md §8): ticks/s for 10,000 rooms, a first sync of 100,000 and
// 1,000,000 joins (time and longest event-loop block), 24-hour series queries over a day of 5-second
// data, a retention pass, CSV export of 1,000,000 rows, and size on disk. Prints figures; no pass/fail.
// Run: node scripts/bench-history.ts   (HEADCOUNT_BENCH_QUICK=1 for a smaller, faster run)
import { watchLoopBlocks } from './lib/loop-block.ts'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportOccupancyCsv } from '../src/core/export/history-export.ts'
import { HistoryStore } from '../src/core/history/history-store.ts'
import type { HistoryTick } from '../src/core/history/types.ts'
import type { Member, RoomSummary } from '../src/core/presence/types.ts'
import { TOTAL_SERIES } from '../src/shared/history.ts'

const QUICK = process.env.HEADCOUNT_BENCH_QUICK === '1'
const DAY = 86_400_000
const T0 = Date.UTC(2026, 0, 1)
const root = mkdtempSync(join(tmpdir(), 'headcount-bench-history-'))

/** Seeded so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/** Longest stretch the event loop could not run a 1 ms timer, while `work` runs. */
async function withBlockWatch<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; maxBlockMs: number }> {
  const watch = watchLoopBlocks()
  const started = performance.now()
  const result = await work()
  const ms = performance.now() - started
  return { result, ms, maxBlockMs: watch.stop() }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function sizeOf(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0)
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en', { maximumFractionDigits: digits })
const mb = (bytes: number) => `${fmt(bytes / 1_048_576)} MB`

function tickOf(at: number, rooms: RoomSummary[], joins: Member[] = [], leaves: Member[] = []): HistoryTick {
  const total = rooms.reduce((sum, room) => sum + room.count, 0)
  return { at, rooms, joins, leaves, total, channels: total, unmatched: 0 }
}

async function ticksPerSecond(synchronous: 'NORMAL' | 'FULL'): Promise<void> {
  const dir = join(root, `ticks-${synchronous}`)
  const store = HistoryStore.open(join(dir, 'history.sqlite'), { synchronous })
  const next = random(1)
  const rooms: RoomSummary[] = Array.from({ length: 10_000 }, (_, i) => ({
    room: `room-${i}`,
    count: 10 + (i % 50),
    groups: { a: 5, b: 5 },
  }))
  await store.recordTick(tickOf(T0, rooms))
  const ticks = QUICK ? 50 : 200
  const { ms, maxBlockMs } = await withBlockWatch(async () => {
    for (let n = 1; n <= ticks; n += 1) {
      // 10% of rooms change per tick, with 50 joins and 50 leaves.
      const current = rooms.map((room) =>
        next() < 0.1 ? { ...room, count: Math.max(0, room.count + (next() < 0.5 ? 1 : -1)) } : room,
      )
      rooms.splice(0, rooms.length, ...current)
      const joins = Array.from({ length: 50 }, (_, i) => ({
        room: `room-${(n * 50 + i) % 10_000}`,
        group: null,
        user: `u-${n}-${i}`,
      }))
      const leaves =
        n > 1
          ? Array.from({ length: 50 }, (_, i) => ({
              room: `room-${((n - 1) * 50 + i) % 10_000}`,
              group: null,
              user: `u-${n - 1}-${i}`,
            }))
          : []
      await store.recordTick(tickOf(T0 + n * 5_000, rooms, joins, leaves))
      // Ticks arrive from the network, each in its own turn of the event loop.
      await nextTurn()
    }
  })
  await store.close()
  console.log(
    `  synchronous=${synchronous}: ${fmt(ticks / (ms / 1000))} ticks/s (${fmt(ms / ticks, 2)} ms per tick, ~1,000 changed rooms each); longest block ${fmt(maxBlockMs)} ms`,
  )
}

async function firstSync(joins: number): Promise<void> {
  const dir = join(root, `first-${joins}`)
  const store = HistoryStore.open(join(dir, 'history.sqlite'))
  await store.flush()
  const next = random(joins)
  const roomCount = 1_000
  // Users arrive in no particular order, spread over rooms with a skew.
  const members: Member[] = Array.from({ length: joins }, (_, i) => ({
    room: `room-${Math.floor(next() ** 2 * roomCount)}`,
    group: i % 4 === 0 ? 'staff' : null,
    user: `user-${Math.floor(next() * 1e12).toString(36)}-${i}`,
  }))
  const counts = new Map<string, number>()
  for (const member of members) counts.set(member.room, (counts.get(member.room) ?? 0) + 1)
  const rooms = [...counts].map(([room, count]) => ({ room, count, groups: { staff: Math.floor(count / 4) } }))
  const { ms, maxBlockMs } = await withBlockWatch(() => store.recordTick(tickOf(T0, rooms, members)))
  const leaving = members.filter((_, i) => i % 10 === 0)
  const leave = await withBlockWatch(() => store.recordTick(tickOf(T0 + 5_000, rooms, [], leaving)))
  await store.close()
  console.log(
    `  ${fmt(joins, 0)} joins: ${fmt(ms / 1000, 2)} s, longest block ${fmt(maxBlockMs)} ms; then ${fmt(leaving.length, 0)} leaves: ${fmt(leave.ms / 1000, 2)} s, longest block ${fmt(leave.maxBlockMs)} ms; ${mb(sizeOf(dir))} on disk`,
  )
}

async function dayOfData(): Promise<void> {
  const dir = join(root, 'day')
  const path = join(dir, 'history.sqlite')
  const store = HistoryStore.open(path)
  const next = random(7)
  const roomCount = QUICK ? 50 : 200
  const ticks = QUICK ? 4_320 : 17_280
  // Ten busy rooms change every tick; the rest now and then.
  const rooms: RoomSummary[] = Array.from({ length: roomCount }, (_, i) => ({
    room: `room-${String(i).padStart(3, '0')}`,
    count: i < 10 ? 5_000 : 20,
    groups: { a: 1 },
  }))
  const fill = await withBlockWatch(async () => {
    for (let n = 0; n < ticks; n += 1) {
      for (let i = 0; i < roomCount; i += 1) {
        const room = rooms[i] as RoomSummary
        if (i < 10 || next() < 0.05) {
          const count = Math.max(0, room.count + Math.round((next() - 0.5) * 20))
          rooms[i] = { room: room.room, count, groups: { a: Math.floor(count / 3), b: Math.floor(count / 5) } }
        }
      }
      if (n === Math.floor(ticks / 3))
        await store.recordGap({ from: T0 + n * 5_000 - 60_000, to: T0 + n * 5_000, reason: 'bench gap' })
      await store.recordTick(tickOf(T0 + n * 5_000, rooms))
      await nextTurn()
    }
  })
  const end = T0 + ticks * 5_000
  console.log(
    `  wrote ${fmt(ticks, 0)} ticks × ${roomCount} rooms (10 changing every tick) in ${fmt(fill.ms / 1000, 1)} s; ${mb(sizeOf(dir))} on disk`,
  )

  const runs = 21
  const one: number[] = []
  const ten: number[] = []
  const top10 = rooms.slice(0, 10).map((room) => room.room)
  let points = 0
  for (let run = 0; run < runs; run += 1) {
    let started = performance.now()
    const [series] = store.querySeries({ rooms: [top10[run % 10] as string], from: end - DAY, to: end, points: 1_000 })
    one.push(performance.now() - started)
    points = series?.points.length ?? 0
    started = performance.now()
    store.querySeries({ rooms: top10, from: end - DAY, to: end, points: 1_000, includeTotal: true })
    ten.push(performance.now() - started)
  }
  console.log(
    `  24-hour series, 1,000 points, median of ${runs}: one room ${fmt(median(one), 2)} ms (${points} points); top-10 rooms + total ${fmt(median(ten), 2)} ms`,
  )
  const groups: number[] = []
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now()
    store.roomGroupSeries({ room: top10[0] as string, from: end - DAY, to: end, points: 1_000 })
    groups.push(performance.now() - started)
  }
  console.log(`  24-hour per-group series for one room: ${fmt(median(groups), 2)} ms`)

  // Retention: as if a week has passed and half the data is now older than the raw retention.
  const retention = await withBlockWatch(() => store.applyRetention(end + 7 * DAY - (ticks * 5_000) / 2))
  console.log(
    `  retention pass (rolls up and deletes the older half): ${fmt(retention.ms, 0)} ms, ${fmt(retention.result.rollupRows, 0)} roll-up rows, ${fmt(retention.result.deletedSamples, 0)} samples deleted; longest block ${fmt(retention.maxBlockMs)} ms`,
  )
  const mixed: number[] = []
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now()
    store.querySeries({ rooms: [top10[run % 10] as string], from: end - DAY, to: end, points: 1_000 })
    mixed.push(performance.now() - started)
  }
  console.log(
    `  24-hour series across roll-ups and raw samples: ${fmt(median(mixed), 2)} ms; ${mb(sizeOf(dir))} on disk`,
  )

  // CSV: enough series at 10 s over the day to make a million rows, then every raw row.
  const seriesNeeded = Math.ceil(1_000_000 / (DAY / 10_000))
  const csvRooms = rooms.slice(0, Math.min(roomCount, seriesNeeded - 1)).map((room) => room.room)
  const out = join(root, 'export.csv')
  // Medians of three runs each: the machine may be busy with other work.
  const exportRuns = 3
  const timedExports = async (options: Omit<Parameters<typeof exportOccupancyCsv>[1], 'out'>) => {
    const runs: { rows: number; ms: number; maxBlockMs: number }[] = []
    for (let run = 0; run < exportRuns; run += 1) {
      const timed = await withBlockWatch(() => exportOccupancyCsv(store, { ...options, out }))
      runs.push({ rows: timed.result.rows, ms: timed.ms, maxBlockMs: timed.maxBlockMs })
    }
    const ms = median(runs.map((run) => run.ms))
    return { rows: runs[0]?.rows ?? 0, ms, maxBlockMs: Math.max(...runs.map((run) => run.maxBlockMs)) }
  }
  const csv = await timedExports({ rooms: csvRooms, from: end - DAY, to: end, resolution: '10s' })
  const csvBytes = statSync(out).size
  console.log(
    `  CSV at 10 s, median of ${exportRuns}: ${fmt(csv.rows, 0)} rows (${csvRooms.length} rooms + ${TOTAL_SERIES}) in ${fmt(csv.ms / 1000, 2)} s = ${fmt(csv.rows / (csv.ms / 1000), 0)} rows/s, ${mb(csvBytes)}; longest block ${fmt(csv.maxBlockMs)} ms`,
  )
  const raw = await timedExports({ from: end - DAY, to: end, resolution: 'raw' })
  console.log(
    `  CSV raw, every room, median of ${exportRuns}: ${fmt(raw.rows, 0)} rows in ${fmt(raw.ms / 1000, 2)} s = ${fmt(raw.rows / (raw.ms / 1000), 0)} rows/s; longest block ${fmt(raw.maxBlockMs)} ms`,
  )
  await store.close()
}

try {
  console.log(`History benchmark (Node ${process.versions.node}${QUICK ? ', quick' : ''})`)
  console.log('Ticks written, 10,000 rooms:')
  await ticksPerSecond('NORMAL')
  await ticksPerSecond('FULL')
  console.log('First sync of a big crowd (one tick):')
  await firstSync(100_000)
  if (!QUICK) await firstSync(1_000_000)
  console.log('A day of 5-second data:')
  await dayOfData()
} finally {
  rmSync(root, { recursive: true, force: true })
}
