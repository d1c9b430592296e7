import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { ApiError } from '../../shared/envelope.ts'
import {
  ExportRequestSchema,
  type ExportJobView,
  type ExportProgress,
  type ExportRequest,
} from '../../shared/history.ts'
import { ensurePrivateDir } from '../data-files.ts'
import type { HistoryStore } from '../history/history-store.ts'
import type { Logger } from '../logger.ts'
import { exportOccupancyCsv, exportSessionsCsv, type RowProgress } from './history-export.ts'
import { exportWideOccupancyCsv } from './wide-occupancy.ts'

interface Job {
  controller: AbortController
  progress: ExportProgress
}

/** How many exports `list` keeps, newest: each is one line in the console's list. */
const LISTED_EXPORTS = 50

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')
}

/**
 * Exports started from the UI: each runs in the background writing to the exports folder, reports
 * progress as events, and can be cancelled (its partial file is removed).
 */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>()
  /** Finished exports' files by id, for download or "save as". */
  private readonly finished = new Map<string, string>()
  /** Every export since this engine started (the last LISTED_EXPORTS), for consoles opened later. */
  private readonly listed: ExportJobView[] = []
  private readonly dir: string
  private readonly emit: (progress: ExportProgress) => void
  private readonly logger: Logger

  constructor(dir: string, emit: (progress: ExportProgress) => void, logger: Logger) {
    this.dir = dir
    this.emit = emit
    this.logger = logger
  }

  start(history: HistoryStore, raw: ExportRequest): ExportProgress {
    const request = ExportRequestSchema.parse(raw)
    ensurePrivateDir(this.dir)
    const id = randomUUID()
    const suffix =
      request.kind === 'sessions'
        ? 'sessions'
        : `occupancy-${request.layout === 'wide' ? 'by-room-' : ''}${request.resolution}`
    const out = join(this.dir, `headcount-${suffix}-${stamp(request.from)}-${stamp(request.to)}-${id.slice(0, 8)}.csv`)
    const job: Job = {
      controller: new AbortController(),
      progress: { id, state: 'running', rows: 0, estimatedRows: null, file: null, error: null },
    }
    this.jobs.set(id, job)
    const entry: ExportJobView = { request, progress: job.progress, startedAt: Date.now() }
    this.listed.push(entry)
    if (this.listed.length > LISTED_EXPORTS) this.listed.shift()
    const update = (change: Partial<ExportProgress>) => {
      job.progress = { ...job.progress, ...change }
      entry.progress = job.progress
      this.emit(job.progress)
    }
    const common = {
      out,
      signal: job.controller.signal,
      onProgress: ({ rows, estimatedRows }: RowProgress) => update({ rows, estimatedRows }),
      rooms: request.rooms,
      from: request.from,
      to: request.to,
    }
    const run =
      request.kind === 'sessions'
        ? exportSessionsCsv(history, common)
        : request.layout === 'wide' && request.resolution !== 'raw'
          ? exportWideOccupancyCsv(history, { ...common, resolution: request.resolution })
          : exportOccupancyCsv(history, { ...common, resolution: request.resolution })
    run
      .then(
        (result) => {
          this.finished.set(id, result.path)
          update({ state: 'done', rows: result.rows, file: result.path })
        },
        (error: unknown) => {
          if (job.controller.signal.aborted) update({ state: 'cancelled' })
          else {
            this.logger.warn(`export ${id} failed`, error)
            update({ state: 'failed', error: (error as Error).message })
          }
        },
      )
      .finally(() => this.jobs.delete(id))
    return job.progress
  }

  cancel(id: string): void {
    const job = this.jobs.get(id)
    if (!job) throw new ApiError('failed', 'No export with that id is running (it may have finished)')
    job.controller.abort()
  }

  /** The exports since this engine started, oldest first, each with its latest progress. */
  list(): ExportJobView[] {
    return this.listed.map((entry) => ({ ...entry }))
  }

  fileOf(id: string): string | null {
    return this.finished.get(id) ?? null
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) job.controller.abort()
  }
}
