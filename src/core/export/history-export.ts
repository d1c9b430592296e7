import { bucketize } from '../history/buckets.ts'
import { TOTAL_SERIES, type ExportProgress } from '../../shared/history.ts'
import type { HistoryStore } from '../history/history-store.ts'
import type { JoinNote, LeaveNote } from '../history/types.ts'
import { withoutRepeats, type Step } from '../history/steps.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import { CsvFile } from './csv-file.ts'
import { csvCell, csvRecord, isoTime } from '../../shared/csv.ts'

export type Resolution = 'raw' | '10s' | '1m' | '1h'

export const RESOLUTION_MS: Record<Exclude<Resolution, 'raw'>, number> = {
  '10s': 10_000,
  '1m': 60_000,
  '1h': 3_600_000,
}

/** Text gathered before handing it to the file (which writes in 64 KB pieces itself). */
const CHUNK_CHARS = 64 * 1024
/** How long an export may hold the event loop before letting it go, ms. */
const TURN_MS = 5

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

  // A line at 1 m sums a dozen 5-second samples, at 1 h several hundred: look at the clock more often there.
  const checkMask = width === null || width <= 10_000 ? 255 : width <= 60_000 ? 15 : 0
  return writeCsv(options, header, estimatedRows, checkMask, function* () {
    const series: { name: string; steps: () => Iterable<Step> | null }[] = []
    if (includeTotal) series.push({ name: TOTAL_SERIES, steps: () => store.totalOccupancySteps(from, to) })
    for (const room of rooms) series.push({ name: room, steps: () => store.occupancySteps(room, from, to) })
    const blankGroups = ','.repeat(groups.length)
    const gapCell = lastCell()
    for (const { name, steps: read } of series) {
      const steps = read()
      if (!steps) continue
      // Each line is written as one string, its text cells escaped once per series or per distinct value.
      const nameCell = csvCell(name)
      const groupCells =
        name === TOTAL_SERIES ? () => blankGroups : groupCellWriter(groups, store.groupsFirstSeen(name))
      if (width === null) {
        for (const step of withoutRepeats(steps)) {
          if (step.kind === 'unknown') continue
          if (step.kind === 'gap') yield `${isoTime(step.t)},${nameCell},,${gapCell(step.reason)}${blankGroups}\r\n`
          else
            yield `${isoTime(step.t)},${nameCell},${numberCell(step.value)},${groupCells(step.groups, step.value, step.t + 1)}\r\n`
        }
      } else {
        const origin = Math.floor(from / width) * width
        for (const bucket of bucketize(steps, { from, to, origin, width })) {
          const bucketStart = origin + bucket.index * width
          if (bucket.covered === 0) {
            yield `${isoTime(bucketStart)},${nameCell},,,,,${gapCell(bucket.gapReason)}${blankGroups}\r\n`
          } else {
            const avg = Math.round((bucket.weighted / bucket.covered) * 1000) / 1000
            yield `${isoTime(bucketStart)},${nameCell},${numberCell(bucket.last)},${numberCell(bucket.lo)},${numberCell(bucket.hi)},${numberCell(avg)},${gapCell(bucket.gapReason)}${groupCells(bucket.lastGroups, bucket.last ?? 0, bucket.end)}\r\n`
          }
        }
      }
    }
  })
}

/** The store's own JSON of group counts as an object, or null when it is none (parsed without copying). */
function storedGroupCounts(json: string | undefined): Record<string, unknown> | null {
  if (!json) return null
  try {
    const parsed: unknown = JSON.parse(json)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** A number cell as csvCell writes it (blank unless finite). */
function numberCell(value: number | null): string {
  return value !== null && Number.isFinite(value) ? String(value) : ''
}

/** csvCell of a text that mostly repeats from one line to the next (a gap's reason): escaped once per change. */
function lastCell(): (text: string | null) => string {
  let last: string | null = null
  let cell = ''
  return (text) => {
    if (text !== last) {
      last = text
      cell = csvCell(text)
    }
    return cell
  }
}

/**
 * A room's group cells, each with its leading comma. A group's count is known from its first
 * appearance in the room, and only while the room's channels are read with groups at all (a
 * convention without {group} gives none): blank otherwise. The stored groups of consecutive lines are
 * mostly the very same text, so the cells are remembered for the last text and reused while the set
 * of groups already seen is the same.
 */
function groupCellWriter(
  groups: readonly string[],
  firstSeen: ReadonlyMap<string, number>,
): (json: string | undefined, count: number, until: number) => string {
  const since = groups.map((group) => firstSeen.get(group))
  // `until` only grows along a series; how many of these first-seen times lie before it says which groups are known.
  const thresholds = [...new Set(since.filter((t): t is number => t !== undefined))].sort((a, b) => a - b)
  let seenUntil = Number.NEGATIVE_INFINITY
  let seen = 0
  let lastJson: string | undefined
  let lastZero = false
  let lastSeen = 0
  let cells = ''
  const blank = ','.repeat(groups.length)
  return (json, count, until) => {
    // No group columns asked for, or none of them seen yet: nothing to parse.
    if (thresholds.length === 0) return blank
    if (until < seenUntil) seen = 0
    seenUntil = until
    while (seen < thresholds.length && (thresholds[seen] as number) < until) seen += 1
    const zero = count === 0
    if (seen === 0) return blank
    if (json === lastJson && zero === lastZero && seen === lastSeen) return cells
    lastJson = json
    lastZero = zero
    lastSeen = seen
    const counts = storedGroupCounts(json)
    let read = zero
    // Only number values count (as parseGroups reads them); the groups were read if any is there.
    if (!read && counts !== null)
      for (const name in counts)
        if (typeof counts[name] === 'number') {
          read = true
          break
        }
    cells = ''
    for (let i = 0; i < groups.length; i += 1) {
      const from = since[i]
      if (!read || from === undefined || from >= until) {
        cells += ','
        continue
      }
      // Own properties only: a group named `constructor` is not Object's.
      const value = counts !== null && Object.hasOwn(counts, groups[i] as string) ? counts[groups[i] as string] : 0
      cells += `,${typeof value === 'number' ? numberCell(value) : '0'}`
    }
    return cells
  }
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
  return writeCsv(options, header, store.countSessions(filter), 255, function* () {
    for (const session of store.iterateSessions(filter)) {
      yield csvRecord([
        session.room,
        session.user,
        session.group,
        isoTime(session.joined),
        session.left === null ? null : isoTime(session.left),
        session.left === null ? null : (session.left - session.joined) / 1000,
        session.joinNote === null ? null : JOIN_NOTE_WORDS[session.joinNote],
        session.leaveNote === null ? null : LEAVE_NOTE_WORDS[session.leaveNote],
      ])
    }
  })
}

/**
 * Streams lines to the file in chunks of about 64 KB (waiting when the disk is behind), checking for
 * cancellation and reporting progress every few hundred lines, and yielding to the event loop every
 * few milliseconds (reading the history is synchronous). A cancelled or failed export leaves no file
 * behind.
 */
async function writeCsv(
  options: CommonOptions,
  header: string[],
  estimatedRows: number,
  /** Lines between looks at the clock, as a mask (a power of 2, less 1): fewer where a line sums many stored changes. */
  checkMask: number,
  lines: () => Iterable<string>,
): Promise<ExportResult> {
  const { signal, onProgress } = options
  const progressEveryMs = options.progressEveryMs ?? 250
  signal?.throwIfAborted()
  const file = await CsvFile.create(options.out)
  let rows = 0
  try {
    let chunk = csvRecord(header)
    let lastYield = performance.now()
    let lastProgress = lastYield
    for (const line of lines()) {
      chunk += line
      rows += 1
      if ((rows & checkMask) !== 0) continue
      if (chunk.length >= CHUNK_CHARS) {
        await file.write(chunk)
        chunk = ''
      }
      signal?.throwIfAborted()
      const now = performance.now()
      if (onProgress && now - lastProgress >= progressEveryMs) {
        onProgress({ rows, estimatedRows: Math.max(estimatedRows, rows) })
        lastProgress = now
      }
      if (now - lastYield >= TURN_MS) {
        await yieldToEventLoop()
        signal?.throwIfAborted()
        lastYield = performance.now()
      }
    }
    await file.write(chunk)
    signal?.throwIfAborted()
    await file.finish()
  } catch (error) {
    await file.abort()
    throw error
  }
  onProgress?.({ rows, estimatedRows: rows })
  return { rows, path: options.out }
}
