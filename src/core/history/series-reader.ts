import { TOTAL_SERIES, type GroupSeries, type Series, type SeriesQuery } from '../../shared/history.ts'
import type { CatalogReader } from './catalog-reader.ts'
import { downsampleGroups, downsampleSeries } from './downsample.ts'
import type { HistoryDb } from './history-db.ts'
import type { RoomIndex } from './room-index.ts'
import { rollupSteps, sampleSteps, withGaps, type RollupRow, type SampleRow, type Step } from './steps.ts'

/** Rows read per query, so a long range is read page by page rather than all at once. */
const PAGE = 5_000
const MAX_POINTS = 100_000

/**
 * Occupancy over time, for charts (series, downsampled) and exports (step sequences, read lazily).
 * Ranges older than the raw retention read the 1-minute roll-ups; gaps read as `null`, never 0.
 */
export class SeriesReader {
  private readonly db: HistoryDb
  private readonly index: RoomIndex
  private readonly catalog: CatalogReader

  constructor(db: HistoryDb, index: RoomIndex, catalog: CatalogReader) {
    this.db = db
    this.index = index
    this.catalog = catalog
  }

  /** See HistoryStore.querySeries. */
  querySeries(query: SeriesQuery): Series[] {
    const { from, to, points } = checkedRange(query.from, query.to, query.points)
    const gaps = this.catalog.gaps(from, to)
    const series: Series[] = []
    if (query.includeTotal)
      series.push({
        room: TOTAL_SERIES,
        points: downsampleSeries([...withGaps(this.totalSteps(from, to), gaps)], from, to, points),
      })
    for (const name of query.rooms) {
      const id = this.index.idOf(name)
      const steps = id === null ? [] : [...withGaps(this.roomSteps(id, from, to, false), gaps)]
      series.push({ room: name, points: downsampleSeries(steps, from, to, points) })
    }
    return series
  }

  /** A room's count with its per-group counts, at most `points` points, for a stacked chart. */
  roomGroupSeries(query: { room: string; from: number; to: number; points: number }): GroupSeries {
    const { from, to, points } = checkedRange(query.from, query.to, query.points)
    const id = this.index.idOf(query.room)
    if (id === null) return { room: query.room, groups: [], points: [] }
    const steps = [...withGaps(this.roomSteps(id, from, to, true), this.catalog.gaps(from, to))]
    return {
      room: query.room,
      groups: this.catalog.groupNames([query.room]),
      points: downsampleGroups(steps, from, to, points),
    }
  }

  /** See HistoryStore.occupancySteps. */
  occupancySteps(room: string, from: number, to: number): Iterable<Step> | null {
    const id = this.index.idOf(room)
    if (id === null) return null
    return withGaps(this.roomSteps(id, from, to, true), this.catalog.gaps(from, to))
  }

  /** The total's step sequence over [from, to), gaps included. */
  totalOccupancySteps(from: number, to: number): Iterable<Step> {
    return withGaps(this.totalSteps(from, to), this.catalog.gaps(from, to))
  }

  /** Stored changes of these rooms within [from, to) (an export's row estimate at raw resolution). */
  countSamples(rooms: readonly string[], from: number, to: number): number {
    let count = 0
    for (const room of rooms) {
      const id = this.index.idOf(room)
      if (id !== null)
        count += (
          this.db
            .statement('SELECT count(*) AS n FROM samples WHERE room_id = ? AND t >= ? AND t < ?')
            .get(id, from, to) as { n: number }
        ).n
    }
    return count
  }

  /** Ticks within [from, to) (an export's row estimate for the total at raw resolution). */
  countTicks(from: number, to: number): number {
    return (this.db.statement('SELECT count(*) AS n FROM ticks WHERE t >= ? AND t < ?').get(from, to) as { n: number })
      .n
  }

  private *roomSteps(roomId: number, from: number, to: number, withGroups: boolean): Generator<Step> {
    const db = this.db
    const groupsColumn = withGroups ? ', groups' : ''
    const lastGroups = withGroups ? ', last_groups AS groups' : ''
    yield* this.eraSteps(from, to, {
      rollupBefore: (at) =>
        db
          .statement(
            `SELECT minute, min, max, avg, last${lastGroups} FROM rollups WHERE room_id = ? AND minute <= ? ORDER BY minute DESC LIMIT 1`,
          )
          .get(roomId, at) as RollupRow | undefined,
      rollupPage: (after, before) =>
        db
          .statement(
            `SELECT minute, min, max, avg, last${lastGroups} FROM rollups WHERE room_id = ? AND minute > ? AND minute < ? ORDER BY minute LIMIT ${PAGE}`,
          )
          .all(roomId, after, before) as unknown as RollupRow[],
      sampleBefore: (at) =>
        db
          .statement(`SELECT t, count${groupsColumn} FROM samples WHERE room_id = ? AND t <= ? ORDER BY t DESC LIMIT 1`)
          .get(roomId, at) as SampleRow | undefined,
      samplePage: (after, before) =>
        db
          .statement(
            `SELECT t, count${groupsColumn} FROM samples WHERE room_id = ? AND t > ? AND t < ? ORDER BY t LIMIT ${PAGE}`,
          )
          .all(roomId, after, before) as unknown as SampleRow[],
    })
  }

  private *totalSteps(from: number, to: number): Generator<Step> {
    const db = this.db
    yield* this.eraSteps(from, to, {
      rollupBefore: (at) =>
        db
          .statement(
            'SELECT minute, min, max, avg, last FROM total_rollups WHERE minute <= ? ORDER BY minute DESC LIMIT 1',
          )
          .get(at) as RollupRow | undefined,
      rollupPage: (after, before) =>
        db
          .statement(
            `SELECT minute, min, max, avg, last FROM total_rollups WHERE minute > ? AND minute < ? ORDER BY minute LIMIT ${PAGE}`,
          )
          .all(after, before) as unknown as RollupRow[],
      sampleBefore: (at) =>
        db.statement('SELECT t, total AS count FROM ticks WHERE t <= ? ORDER BY t DESC LIMIT 1').get(at) as
          SampleRow | undefined,
      samplePage: (after, before) =>
        db
          .statement(`SELECT t, total AS count FROM ticks WHERE t > ? AND t < ? ORDER BY t LIMIT ${PAGE}`)
          .all(after, before) as unknown as SampleRow[],
    })
  }

  /** Steps over [from, to): roll-ups below the raw floor, raw rows above it, nothing below the roll-up floor. */
  private *eraSteps(from: number, to: number, read: EraReaders): Generator<Step> {
    const rollupFloor = this.db.floor('rollup_floor')
    const rawFloor = this.db.floor('raw_floor') ?? Number.MIN_SAFE_INTEGER
    const start = Math.max(from, rollupFloor ?? Number.MIN_SAFE_INTEGER)
    if (start >= to) {
      if (rollupFloor !== null) yield { kind: 'unknown', t: from }
      return
    }
    if (start > from) yield { kind: 'unknown', t: from }
    if (start < rawFloor) {
      const end = Math.min(to, rawFloor)
      yield* rollupSteps(
        read.rollupBefore(start),
        paged(
          (after) => read.rollupPage(after, end),
          start,
          (row) => row.minute,
        ),
        start,
        end,
      )
    }
    const rawStart = Math.max(start, rawFloor)
    if (rawStart < to)
      yield* sampleSteps(
        read.sampleBefore(rawStart),
        paged(
          (after) => read.samplePage(after, to),
          rawStart,
          (row) => row.t,
        ),
        rawStart,
      )
  }
}

interface EraReaders {
  rollupBefore(at: number): RollupRow | undefined
  rollupPage(after: number, before: number): RollupRow[]
  sampleBefore(at: number): SampleRow | undefined
  samplePage(after: number, before: number): SampleRow[]
}

/** Reads rows page by page (keyset on the time column), lazily. */
function* paged<T>(read: (after: number) => T[], start: number, timeOf: (row: T) => number): Generator<T> {
  let after = start
  for (;;) {
    const rows = read(after)
    yield* rows
    const last = rows.at(-1)
    if (last === undefined || rows.length < PAGE) return
    after = timeOf(last)
  }
}

function checkedRange(from: number, to: number, points: number): { from: number; to: number; points: number } {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to)
    throw new RangeError('"from" must be a time before "to"')
  if (!Number.isInteger(points) || points < 1) throw new RangeError('"points" must be a whole number of at least 1')
  return { from: Math.round(from), to: Math.round(to), points: Math.min(points, MAX_POINTS) }
}
