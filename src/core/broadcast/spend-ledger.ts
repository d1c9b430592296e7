// What the broadcaster spent, per UTC quarter-hour, on disk per connection profile
// (`broadcast/<profile id>.spend.json` in the data folder): the budget's day is Pusher's (UTC) and must
// not restart when Headcount does or when the operator switches connections; the console sums "today" in
// its own time zone from the same buckets. Written to a temporary file and renamed, like every data file.
// The file names the app it counts for: a profile pointed at another app starts that app's day at zero.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { SPEND_BUCKET_MS, SpendBucketSchema, type SpendBucket } from '../../shared/broadcast.ts'
import { jsonSyntaxProblem, keepAside, removeWithCopies, writeFileAtomic } from '../data-files.ts'
import type { Logger } from '../logger.ts'
import { DAY_MS, utcDayStart } from './budget.ts'

/** Buckets older than this are dropped: two days covers "today" in every time zone and Pusher's day. */
const KEEP_MS = 2 * DAY_MS
/** Buckets the status reports: 25 hours, enough for "today" anywhere. */
const REPORT_MS = 25 * 3_600_000

const StoredLedgerSchema = z.object({
  version: z.literal(1),
  /** The app the spend went to (`appIdentity`); absent in files written before it was kept. */
  app: z.string().optional(),
  buckets: z.array(SpendBucketSchema),
})

export type Spend = Partial<Omit<SpendBucket, 'start'>>

export function spendLedgerPath(dataDir: string, profileId: string): string {
  return join(dataDir, 'broadcast', `${profileId}.spend.json`)
}

/** Removes a deleted profile's spend: its file and the copies set aside or left half-written beside it. */
export function removeSpendLedger(dataDir: string, profileId: string): void {
  removeWithCopies(spendLedgerPath(dataDir, profileId))
}

export class SpendLedger {
  private readonly path: string | null
  private readonly app: string | null
  private readonly logger: Logger
  /** Oldest first. */
  private buckets: SpendBucket[] = []
  private dirty = false

  private constructor(path: string | null, app: string | null, logger: Logger) {
    this.path = path
    this.app = app
    this.logger = logger
  }

  /** A ledger kept in memory only (tests, benchmarks). */
  static inMemory(logger: Logger): SpendLedger {
    return new SpendLedger(null, null, logger)
  }

  /**
   * Reads the ledger at `path` for the app `app` (see `appIdentity`); none yet: empty. A file that can't
   * be read is set aside (`….invalid-<time>`) with a warning and the day starts from zero: the spend it
   * held is unknown. A file of another app is not this app's spend: it starts from zero too, and the
   * next write replaces it.
   */
  static open(path: string, logger: Logger, app: string, now = Date.now()): SpendLedger {
    const ledger = new SpendLedger(path, app, logger)
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn(`the broadcaster's spend file ${path} cannot be read (${(error as NodeJS.ErrnoException).code})`)
      }
      return ledger
    }
    try {
      const stored = StoredLedgerSchema.parse(JSON.parse(text))
      if (stored.app !== undefined && stored.app !== app) {
        logger.info(`the broadcaster's spend in ${path} was for another app (${stored.app}): today starts at 0`)
        // Written at the next flush, so the other app's day is not read again.
        ledger.dirty = true
        return ledger
      }
      ledger.buckets = stored.buckets
        .filter((bucket) => bucket.start % SPEND_BUCKET_MS === 0 && bucket.start > now - KEEP_MS)
        .sort((a, b) => a.start - b.start)
    } catch (error) {
      const problem = error instanceof SyntaxError ? jsonSyntaxProblem(error) : 'not a spend file Headcount wrote'
      const keptAs = keepAside(path, new Date(now))
      logger.warn(`the broadcaster's spend file ${path} is unusable (${problem}); kept as ${keptAs}, today starts at 0`)
    }
    return ledger
  }

  /** Adds to the bucket holding `at` (negative amounts give back what was counted ahead of time). */
  add(at: number, spend: Spend): void {
    const bucket = this.bucketAt(at)
    for (const key of ['requests', 'events', 'deliveries', 'messages', 'vanilla'] as const) {
      const amount = spend[key]
      if (amount !== undefined && amount !== 0) bucket[key] = Math.max(0, bucket[key] + amount)
    }
    this.dirty = true
  }

  /** A total over the buckets from `since` (inclusive) up to now. */
  since(since: number, key: keyof Spend): number {
    let total = 0
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const bucket = this.buckets[i] as SpendBucket
      if (bucket.start < since) break
      total += bucket[key]
    }
    return total
  }

  /** A total in Pusher's day (UTC) holding `at`. */
  today(at: number, key: keyof Spend): number {
    return this.since(utcDayStart(at), key)
  }

  /** The buckets of the last 25 hours, oldest first (copies). */
  recent(now: number): SpendBucket[] {
    return this.buckets.filter((bucket) => bucket.start > now - REPORT_MS).map((bucket) => ({ ...bucket }))
  }

  /** Writes the ledger if anything changed since the last write. A failure is logged, and tried again next time. */
  flush(now = Date.now()): void {
    if (!this.dirty || this.path === null) return
    this.buckets = this.buckets.filter((bucket) => bucket.start > now - KEEP_MS)
    try {
      writeFileAtomic(
        this.path,
        `${JSON.stringify({ version: 1, app: this.app ?? undefined, buckets: this.buckets })}\n`,
      )
      this.dirty = false
    } catch (error) {
      this.logger.warn(`the broadcaster's spend could not be saved to ${this.path}: ${(error as Error).message}`)
    }
  }

  private bucketAt(at: number): SpendBucket {
    const start = Math.floor(at / SPEND_BUCKET_MS) * SPEND_BUCKET_MS
    const last = this.buckets.at(-1)
    if (last?.start === start) return last
    // Almost always the newest bucket; an adjustment for a tick that began in the previous one looks back.
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const bucket = this.buckets[i] as SpendBucket
      if (bucket.start === start) return bucket
      if (bucket.start < start) {
        const fresh = { start, requests: 0, events: 0, deliveries: 0, messages: 0, vanilla: 0 }
        this.buckets.splice(i + 1, 0, fresh)
        return fresh
      }
    }
    const fresh = { start, requests: 0, events: 0, deliveries: 0, messages: 0, vanilla: 0 }
    this.buckets.unshift(fresh)
    return fresh
  }
}
