import { csvRecord, isoTime } from '../../shared/csv.ts'
import { TOTAL_SERIES } from '../../shared/history.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import { bucketize } from '../history/buckets.ts'
import type { HistoryStore } from '../history/history-store.ts'
import type { Step } from '../history/steps.ts'
import { CsvFile } from './csv-file.ts'
import { RESOLUTION_MS, type ExportResult, type RowProgress } from './history-export.ts'

export interface WideOccupancyOptions {
  out: string
  /** Rooms, one column each after the total (default: every room the history knows). */
  rooms?: readonly string[]
  /** Inclusive, ms. */
  from: number
  /** Exclusive, ms. */
  to: number
  resolution: keyof typeof RESOLUTION_MS
  signal?: AbortSignal
  onProgress?: (progress: RowProgress) => void
  /** Cells computed per block of rows (memory: 8 bytes each); tests make it small. */
  cellsPerBlock?: number
}

const CELLS_PER_BLOCK = 1_000_000
/** Text gathered before handing it to the file. */
const CHUNK_CHARS = 64 * 1024
/** How long the export may hold the event loop before letting it go, ms. */
const TURN_MS = 5

/**
 * Occupancy as one row per interval and one column per room, for spreadsheets: `time`, then the
 * total (`*total*`), then each room. A cell is the count at the end of the interval, as the long
 * layout's `count`; it is blank where nothing is known: before the room's first data, and for an
 * interval wholly inside a gap. Times are ISO 8601 UTC, at the start of each interval (aligned to UTC).
 *
 * Written in blocks of rows, each filled column by column from the history, so memory stays bounded
 * at any number of rooms and range; the event loop is let go every few milliseconds.
 */
export async function exportWideOccupancyCsv(
  store: HistoryStore,
  options: WideOccupancyOptions,
): Promise<ExportResult> {
  const { from, to, signal, onProgress } = options
  if (!(from < to)) throw new RangeError('"from" must be before "to"')
  const width = RESOLUTION_MS[options.resolution]
  const origin = Math.floor(from / width) * width
  const rowCount = Math.ceil((to - origin) / width)
  const rooms = options.rooms ?? store.rooms().map((room) => room.room)
  const columns = [TOTAL_SERIES, ...rooms]
  const rowsPerBlock = Math.max(1, Math.floor((options.cellsPerBlock ?? CELLS_PER_BLOCK) / columns.length))

  // An interval of 1 h sums several hundred stored changes: look at the clock after each one there.
  const checkMask = width <= 10_000 ? 255 : width <= 60_000 ? 15 : 0
  signal?.throwIfAborted()
  const file = await CsvFile.create(options.out)
  let rows = 0
  let lastTurn = performance.now()
  const turn = async () => {
    if (performance.now() - lastTurn < TURN_MS) return
    await yieldToEventLoop()
    signal?.throwIfAborted()
    onProgress?.({ rows, estimatedRows: rowCount })
    lastTurn = performance.now()
  }
  try {
    await file.write(csvRecord(['time', ...columns]))
    for (let first = 0; first < rowCount; first += rowsPerBlock) {
      const blockRows = Math.min(rowsPerBlock, rowCount - first)
      const blockFrom = Math.max(from, origin + first * width)
      const blockTo = Math.min(to, origin + (first + blockRows) * width)
      const cells = new Float64Array(blockRows * columns.length).fill(Number.NaN)
      for (let column = 0; column < columns.length; column++) {
        const name = columns[column] as string
        const steps: Iterable<Step> | null =
          name === TOTAL_SERIES
            ? store.totalOccupancySteps(blockFrom, blockTo)
            : store.occupancySteps(name, blockFrom, blockTo)
        if (steps) {
          let read = 0
          for (const bucket of bucketize(steps, { from: blockFrom, to: blockTo, origin, width })) {
            if (bucket.covered > 0 && bucket.last !== null)
              cells[(bucket.index - first) * columns.length + column] = bucket.last
            // A column can be a whole day of 10-second intervals: let go within it too.
            if ((++read & checkMask) === 0 && performance.now() - lastTurn >= TURN_MS) await turn()
          }
        }
        await turn()
      }
      // Cells are counts or NaN (unknown, blank), so each line is written directly as one string
      // (what csvRecord would make of them) and handed to the file in chunks.
      let chunk = ''
      for (let row = 0; row < blockRows; row++) {
        let line = isoTime(origin + (first + row) * width)
        for (let column = 0; column < columns.length; column++) {
          const value = cells[row * columns.length + column] as number
          line += Number.isFinite(value) ? `,${value}` : ','
        }
        chunk += `${line}\r\n`
        rows += 1
        if ((rows & 63) !== 0) continue
        if (chunk.length >= CHUNK_CHARS) {
          await file.write(chunk)
          chunk = ''
        }
        await turn()
      }
      await file.write(chunk)
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
