// What the broadcaster learns from the server refusing a send: a 413 on a request makes requests
// smaller (fewer events each), a 413 on an event makes events smaller (down to a floor), any other
// failure waits before the next try, longer each time. The last failure is kept for the status.
import type { BroadcastStatus } from '../../shared/broadcast.ts'
import { EVENT_DATA_BUDGET_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/pusher-limits.ts'
import type { Failure } from '../channels/errors.ts'
import type { Logger } from '../logger.ts'
import { backoffDelay } from '../sync/backoff.ts'
import type { DeliveryOutcome } from './delivery.ts'

/** Smallest event size a 413 can shrink the budget to. */
const MIN_EVENT_BUDGET = 1000

export class SendLimits {
  private readonly logger: Logger
  private readonly random: () => number
  /** Bytes of data an event may carry: Pusher's 10 KB, less once a server refused smaller events. */
  private bytes = EVENT_DATA_BUDGET_BYTES
  /** Events per request: Pusher's 10, fewer once a server turned out to limit the size of a request. */
  private perRequest = MAX_EVENTS_PER_BATCH
  private backoffUntil = 0
  private last: { failure: Failure; at: number; attempts: number } | null = null

  constructor(logger: Logger, random: () => number) {
    this.logger = logger
    this.random = random
  }

  get eventBytes(): number {
    return this.bytes
  }

  get batchSize(): number {
    return this.perRequest
  }

  /** Whether a send may be tried at `now` (not backing off). */
  mayTry(now: number): boolean {
    return now >= this.backoffUntil
  }

  /** Switched off: the next switch on tries at once. */
  forgetBackoff(): void {
    this.backoffUntil = 0
  }

  /** A tick's outcome; `intervalMs` is the base of the backoff. Returns whether it failed. */
  record(outcome: DeliveryOutcome, now: () => number, intervalMs: number): boolean {
    const failure = outcome.failure
    if (failure === null) {
      this.last = null
      return false
    }
    const attempts = (this.last?.attempts ?? 0) + 1
    this.last = { failure, at: now(), attempts }
    const limit = outcome.sizeLimit
    if (failure.kind === 'too-large' && limit?.scope === 'request') {
      // The server limits a request, not an event: fewer events per request, at the next tick.
      this.perRequest = Math.max(1, Math.min(this.perRequest, Math.floor(limit.events / 2)))
      this.logger.info(`the server limits the size of a request: now ${this.perRequest} events per request`)
    } else if (failure.kind === 'too-large' && this.bytes > MIN_EVENT_BUDGET) {
      // The server's limit on an event is smaller than Pusher's: smaller events, at the next tick.
      this.bytes = Math.max(MIN_EVENT_BUDGET, Math.floor(this.bytes / 2))
    } else {
      this.backoffUntil = now() + backoffDelay(attempts, Math.max(1000, intervalMs), this.random)
    }
    this.logger.warn(`broadcast failed (${failure.kind}): ${failure.message}`)
    return true
  }

  /** The last failure, while sends keep failing. */
  lastError(): BroadcastStatus['lastError'] {
    const error = this.last
    if (error === null) return null
    return {
      kind: error.failure.kind,
      message: error.failure.message,
      hint: error.failure.hint,
      status: error.failure.status,
      at: error.at,
      attempts: error.attempts,
    }
  }
}
