import { bucketize } from '../history/buckets.ts'
import { TOTAL_SERIES, type ExportProgress } from '../../shared/history.ts'
import type { HistoryStore } from '../history/history-store.ts'
import type { JoinNote, LeaveNote } from '../history/types.ts'
import { parseGroups, withoutRepeats, type Step } from '../history/steps.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import { CsvFile } from './csv-file.ts'
import { csvRecord, isoTime, type CsvValue } from '../../shared/csv.ts'

export type Resolution = 'raw' | '10s' | '1m' | '1h'

export const RESOLUTION_MS: Record<Exclude<Resolution, 'raw'>, number> = {
  '10s': 10_000,
  '1m': 60_000,
  '1h': 3_600_000,
}

/**
 * How far a file export is: the contract's ExportProgress counts, with the estimate (made before
 * writing) always known here.
 */
export type RowProgress = Pick<ExportProgress, 'rows'> & { estimatedRows: NonNullable<ExportProgress['estimatedRows']> }

interface CommonOptions {
  /** Destination file; written under a temporary name and renamed when complete. */
  out: string
  signal?: AbortSignal
  /** Called at most every `progressEveryMs` (and once at the end). */
  onProgress?: (progress: RowProgress) => void
  progressEveryMs?: number
}

export interface OccupancyExportOptions extends CommonOptions {
  /** Rooms to export (default: every known room). */
  rooms?: readonly string[]
  /** Inclusive, ms. */
  from: number
  /** Exclusive, ms. */
  to: number
  resolution: Resolution
  /** Also export the total, as room `*total*` (default true). */
  includeTotal?: boolean
}

export interface SessionsExportOptions extends CommonOptions {
  rooms?: readonly string[]
  /** Sessions open at some time in [from, to). */
  from?: number
  to?: number
}

export interface ExportResult {
  rows: number
  path: string
}

/**
 * Occupancy as CSV, one block of rows per series (the total first, then each room), in time order.
 *
 * - `raw`: a row per stored change (the value holds until the next row), starting with the value in
 *   effect at `from`; a gap is a row with an empty count and the gap's reason in `gap`, and the row
 *   after it is where data resumes. Columns: time, room, count, gap, then one per group.
 * - `10s`, `1m`, `1h`: a row per interval (aligned to UTC), with `count` the value at the end of the
 *   interval (its last value), `min` and `max` over the interval, and `avg` the time-weighted mean;
 *   group columns are the groups at the end of the interval. An interval touched by a gap names it in
 *   `gap` and is computed over the rest; one wholly inside a gap has empty values. Intervals before a
 *   series' first data are left out. Older than the raw retention, the source is 1-minute roll-ups.
 *
 * The `gap` column gives the gap's cause in words (Headcount stopped, sync failed and why, the naming
 * convention changed…). A group column is empty (unknown, not 0) before that group first appeared in
 * the room and while the room's channels were read without groups; it is always empty for the total.
 */
export async function exportOccupancyCsv(store: HistoryStore, options: OccupancyExportOptions): Promise<ExportResult> {
  const { from, to, resolution } = options
  if (!(from < to)) throw new RangeError('"from" must be before "to"')
  const rooms = options.rooms ?? store.rooms().map((room) => room.room)
  const includeTotal = options.includeTotal ?? true
  const groups = store.groupNames(rooms)
  const width = resolution === 'raw' ? null : RESOLUTION_MS[resolution]
  const header = [
    'time',
    'room',
    'count',
    ...(width === null ? [] : ['min', 'max', 'avg']),
    'gap',
    ...groups.map((group) => `group:${group}`),
  ]
  const estimatedRows =
    width === null
      ? store.countSamples(rooms, from, to) + rooms.length + (includeTotal ? store.countTicks(from, to) + 1 : 0)
      : (rooms.length + (includeTotal ? 1 : 0)) * Math.ceil((to - Math.floor(from / width) * width) / width)

  return writeCsv(options, header, estimatedRows, function* () {
    const series: { name: string; steps: () => Iterable<Step> | null }[] = []
    if (includeTotal) series.push({ name: TOTAL_SERIES, steps: () => store.totalOccupancySteps(from, to) })
    for (const room of rooms) series.push({ name: room, steps: () => store.occupancySteps(room, from, to) })
    for (const { name, steps: read } of series) {
      const steps = read()
      if (!steps) continue
      const firstSeen = name === TOTAL_SERIES ? null : store.groupsFirstSeen(name)
      // A group's count is known from its first appearance in the room, and only while the room's
      // channels are read with groups at all (a convention without {group} gives none): blank otherwise.
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
          if (step.kind === 'gap') {
            yield [isoTime(step.t), name, null, step.reason, ...groups.map(() => null)]
          } else {
            yield [isoTime(step.t), name, step.value, null, ...groupCells(step.groups, step.value, step.t + 1)]
          }
        }
      } else {
        for (const bucket of bucketize(steps, { from, to, origin: Math.floor(from / width) * width, width })) {
          const bucketStart = Math.floor(from / width) * width + bucket.index * width
          if (bucket.covered === 0) {
            yield [isoTime(bucketStart), name, null, null, null, null, bucket.gapReason, ...groups.map(() => null)]
          } else {
            const avg = Math.round((bucket.weighted / bucket.covered) * 1000) / 1000
            yield [
              isoTime(bucketStart),
              name,
              bucket.last,
              bucket.lo,
              bucket.hi,
              avg,
              bucket.gapReason,
              ...groupCells(bucket.lastGroups, bucket.last ?? 0, bucket.end),
            ]
          }
        }
      }
    }
  })
}

/** What a session's `join_note` says when its start was not seen as it happened. */
export const JOIN_NOTE_WORDS: Record<JoinNote, string> = {
  resumed: 'already present when Headcount began or resumed watching; joined at this time or before',
  convention: 'read anew after the naming convention changed',
}

/** What a session's `leave_note` says when its end was not seen as it happened. */
export const LEAVE_NOTE_WORDS: Record<LeaveNote, string> = {
  gap: 'left during a gap; this is when last seen',
  convention: 'no longer read so after the naming convention changed; this is when last seen',
}

/**
 * Presence sessions as CSV: room, user, group, joined, left (empty while present), duration_s, and
 * `join_note` / `leave_note`, empty when the join or leave was seen as it happened, else in words why
 * the time is only when they were first or last seen (a gap, a convention change).
 */
export async function exportSessionsCsv(store: HistoryStore, options: SessionsExportOptions): Promise<ExportResult> {
  const filter = { rooms: options.rooms, from: options.from, to: options.to }
  const header = ['room', 'user', 'group', 'joined', 'left', 'duration_s', 'join_note', 'leave_note']
  return writeCsv(options, header, store.countSessions(filter), function* () {
    for (const session of store.iterateSessions(filter)) {
      yield [
        session.room,
        session.user,
        session.group,
        isoTime(session.joined),
        session.left === null ? null : isoTime(session.left),
        session.left === null ? null : (session.left - session.joined) / 1000,
        session.joinNote === null ? null : JOIN_NOTE_WORDS[session.joinNote],
        session.leaveNote === null ? null : LEAVE_NOTE_WORDS[session.leaveNote],
      ]
    }
  })
}

/**
 * Streams records to the file, checking for cancellation between them and yielding to the event
 * loop every few milliseconds (reading the history is synchronous). A cancelled or failed export
 * leaves no file behind.
 */
async function writeCsv(
  options: CommonOptions,
  header: string[],
  estimatedRows: number,
  records: () => Iterable<CsvValue[]>,
): Promise<ExportResult> {
  const { signal, onProgress } = options
  const progressEveryMs = options.progressEveryMs ?? 250
  signal?.throwIfAborted()
  const file = await CsvFile.create(options.out)
  let rows = 0
  try {
    await file.write(csvRecord(header))
    let lastYield = performance.now()
    let lastProgress = lastYield
    for (const record of records()) {
      await file.write(csvRecord(record))
      rows += 1
      if ((rows & 255) !== 0) continue
      signal?.throwIfAborted()
      const now = performance.now()
      if (onProgress && now - lastProgress >= progressEveryMs) {
        onProgress({ rows, estimatedRows: Math.max(estimatedRows, rows) })
        lastProgress = now
      }
      if (now - lastYield >= 10) {
        await yieldToEventLoop()
        signal?.throwIfAborted()
        lastYield = performance.now()
      }
    }
    signal?.throwIfAborted()
    await file.finish()
  } catch (error) {
    await file.abort()
    throw error
  }
  onProgress?.({ rows, estimatedRows: rows })
  return { rows, path: options.out }
}
