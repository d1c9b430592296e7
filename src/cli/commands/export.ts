import { resolve } from 'node:path'
import {
  exportOccupancyCsv,
  exportSessionsCsv,
  type RowProgress,
  type Resolution,
} from '../../core/export/history-export.ts'
import { HistoryStore } from '../../core/history/history-store.ts'
import { HistoryFileError } from '../../core/history/schema.ts'
import { listHistoryFiles } from '../../core/history/paths.ts'
import { resolveDataDir } from '../data-dir.ts'
import { CommandError, parseCommandArgs, UsageError, type Command } from '../usage.ts'

/**
 * The history file to export: the one of `--profile` (a connection's name or id), or the only one in
 * the data folder.
 */
export function locateHistory(dataDir: string, profile: string | undefined): string {
  const files = listHistoryFiles(dataDir)
  const shown = (file: { id: string; name: string | null }) => (file.name ? `"${file.name}" (${file.id})` : file.id)
  if (profile !== undefined) {
    const file = files.find((candidate) => candidate.id === profile || candidate.name === profile)
    if (!file) {
      throw new CommandError(
        `No history for connection "${profile}" in ${dataDir}${files.length ? `; there is: ${files.map(shown).join(', ')}` : ''}`,
      )
    }
    return file.path
  }
  if (files.length === 0) throw new CommandError(`No history in ${dataDir}: connect to an app with Headcount first`)
  if (files.length > 1)
    throw new UsageError(
      `several connections have history in ${dataDir}: choose one with --profile (${files.map(shown).join(', ')})`,
    )
  return (files[0] as { path: string }).path
}
const DAY_MS = 86_400_000
const RESOLUTIONS: readonly Resolution[] = ['raw', '10s', '1m', '1h']

export interface ExportConfig {
  dbPath: string
  out: string
  sessions: boolean
  rooms: string[] | undefined
  from: number
  to: number
  /** Whether --from / --to were given (sessions are only filtered by time when they were). */
  ranged: boolean
  resolution: Resolution
  includeTotal: boolean
}

const FLAGS = {
  data: { type: 'string' },
  profile: { type: 'string' },
  rooms: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  resolution: { type: 'string', default: '1m' },
  sessions: { type: 'boolean', default: false },
  'no-total': { type: 'boolean', default: false },
  out: { type: 'string' },
} as const

/**
 * An ISO 8601 date (`2026-01-02`, midnight UTC) or date and time (`2026-01-02T03:04`, seconds and
 * fraction optional; UTC unless it ends with `Z` or an offset such as `+02:00`).
 */
export function parseIsoTime(value: string, flag: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(
    value.trim(),
  )
  if (!match)
    throw new UsageError(
      `${flag} must be an ISO 8601 date or time such as 2026-01-02 or 2026-01-02T03:04:05Z, got "${value}"`,
    )
  const [, date, time, zone] = match as unknown as [string, string, string | undefined, string | undefined]
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const midnight = Date.UTC(year, month - 1, day)
  // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip is not a real date.
  if (new Date(midnight).toISOString().slice(0, 10) !== date)
    throw new UsageError(`${flag} is not a real date: "${value}"`)
  const ms = time ? Date.parse(`${date}T${time}${zone ?? 'Z'}`) : midnight
  if (Number.isNaN(ms)) throw new UsageError(`${flag} is not a real time: "${value}"`)
  return ms
}

export function parseExportArgs(args: string[], env: NodeJS.ProcessEnv, now: number): ExportConfig {
  const { values } = parseCommandArgs(args, FLAGS)
  if (!values.out) throw new UsageError('--out FILE is required')
  const resolution = values.resolution as Resolution
  if (!RESOLUTIONS.includes(resolution))
    throw new UsageError(`--resolution must be one of ${RESOLUTIONS.join(', ')}, got "${values.resolution}"`)
  const to = values.to === undefined ? now : parseIsoTime(values.to, '--to')
  const from = values.from === undefined ? to - DAY_MS : parseIsoTime(values.from, '--from')
  if (from >= to) throw new UsageError('--from must be before --to')
  let rooms: string[] | undefined
  if (values.rooms !== undefined) {
    rooms = values.rooms
      .split(',')
      .map((room) => room.trim())
      .filter((room) => room.length > 0)
    if (rooms.length === 0) throw new UsageError('--rooms needs at least one room name (a,b,c)')
  }
  if (values.sessions && values.resolution !== '1m' && args.some((arg) => arg.startsWith('--resolution'))) {
    throw new UsageError('--resolution applies to occupancy, not to --sessions')
  }
  return {
    dbPath: locateHistory(resolveDataDir(values.data, env), values.profile),
    out: resolve(values.out),
    sessions: values.sessions,
    rooms,
    from,
    to,
    ranged: values.from !== undefined || values.to !== undefined,
    resolution,
    includeTotal: !values['no-total'],
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export occupancy history or presence sessions as CSV',
  usage: `headcount export [--data DIR] [--profile NAME] [--rooms a,b] [--from ISO] [--to ISO] [--resolution raw|10s|1m|1h]
                        [--sessions] [--no-total] --out FILE

  --data DIR          the data folder (default: $HEADCOUNT_DATA, else $XDG_DATA_HOME/headcount);
                      each connection's history is history/<id>.sqlite in it
  --profile NAME      which connection's history (its name or id); needed when several have one
  --rooms a,b         only these rooms (default: every room)
  --from ISO          start, e.g. 2026-01-02 or 2026-01-02T03:04:05Z (default: 24 hours before --to;
                      a time without Z or an offset is UTC)
  --to ISO            end, exclusive (default: now)
  --resolution R      raw (every change: time,room,count,gap), 10s, 1m (default) or 1h (per
                      interval: time,room,count,min,max,avg,gap; count its last value, avg
                      time-weighted); then a column group:<name> per group; gap: why nothing is known
  --sessions          export presence sessions instead
                      (room,user,group,joined,left,duration_s,join_note,leave_note; a note says why a
                      time is only when first or last seen); filtered by time only when --from or
                      --to is given
  --no-total          leave out the total (exported as room "*total*")
  --out FILE          the CSV file to write (RFC 4180, UTC ISO 8601 times); replaced if it exists

The file appears only when complete. Prints "Exported N rows to FILE".`,
  async run(args, io) {
    const config = parseExportArgs(args, io.env, Date.now())
    let store: HistoryStore
    try {
      store = HistoryStore.open(config.dbPath, { readOnly: true })
    } catch (error) {
      if (error instanceof HistoryFileError) throw new CommandError(error.message)
      throw error
    }
    const controller = new AbortController()
    const cancel = () => controller.abort(new CommandError('Export cancelled; no file was written'))
    process.once('SIGINT', cancel)
    process.once('SIGTERM', cancel)
    const showProgress = process.stderr.isTTY === true
    const onProgress = showProgress
      ? ({ rows, estimatedRows }: RowProgress) => {
          const percent = estimatedRows > 0 ? ` (${Math.min(100, Math.floor((rows / estimatedRows) * 100))}%)` : ''
          process.stderr.write(
            `\rExporting: ${rows.toLocaleString('en')} of about ${estimatedRows.toLocaleString('en')} rows${percent}`,
          )
        }
      : undefined
    try {
      if (config.rooms) {
        const known = new Set(store.rooms().map((room) => room.room))
        const unknown = config.rooms.filter((room) => !known.has(room))
        if (unknown.length > 0)
          throw new CommandError(
            `No history for room${unknown.length > 1 ? 's' : ''} ${unknown.map((room) => `"${room}"`).join(', ')}`,
          )
      }
      const common = { out: config.out, signal: controller.signal, onProgress }
      const result = config.sessions
        ? await exportSessionsCsv(store, {
            ...common,
            rooms: config.rooms,
            ...(config.ranged ? { from: config.from, to: config.to } : {}),
          })
        : await exportOccupancyCsv(store, {
            ...common,
            rooms: config.rooms,
            from: config.from,
            to: config.to,
            resolution: config.resolution,
            includeTotal: config.includeTotal,
          })
      if (showProgress) process.stderr.write('\n')
      io.out(`Exported ${result.rows} rows to ${result.path}`)
      return 0
    } catch (error) {
      if (showProgress) process.stderr.write('\n')
      if (error instanceof CommandError) throw error
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new CommandError(`Cannot write ${config.out}: its folder does not exist`)
      if (code === 'EACCES' || code === 'EPERM') throw new CommandError(`Cannot write ${config.out}: permission denied`)
      if (code === 'EISDIR') throw new CommandError(`Cannot write ${config.out}: it is a folder`)
      throw new CommandError(`Export failed: ${(error as Error).message}`)
    } finally {
      process.off('SIGINT', cancel)
      process.off('SIGTERM', cancel)
      await store.close()
    }
  },
}
