import type { Buffer } from 'node:buffer'
import type { IncomingHttpHeaders } from 'node:http'
import type { SyncOptions, SyncStatus } from '../../shared/sync.ts'
import { downloadChannelList, type ChannelListSource } from '../channels/channel-list-download.ts'
import { RequestAbortedError } from '../channels/client.ts'
import { toFailure } from '../channels/errors.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import type { Logger } from '../logger.ts'
import type { ChunkSource } from '../presence/channel-list-scan.ts'
import { joinCountOf } from '../presence/joins.ts'
import type { IngestOptions, IngestResult, Member, RoomSummary, WebhookResult } from '../presence/types.ts'
import { backoffDelay } from './backoff.ts'
import { receiverStartProblem, WebhookReceiver, type WebhookChannelEvent } from './webhook-receiver.ts'

export type TickSource = 'poll' | 'webhook' | 'reconcile'

export interface SyncTick {
  source: TickSource
  result: IngestResult
  /** Joins and leaves a reconciling poll found that webhooks had not reported. */
  drift: number
  /**
   * The first success after failed polls (a gap, recorded just before): its joins and leaves happened
   * at some time during the gap, not between two syncs.
   */
  afterGap: boolean
}

export interface PresenceSink {
  ingestChannelList(body: Uint8Array | ChunkSource, at: number, options?: IngestOptions): Promise<IngestResult>
  applyWebhookEvents(events: WebhookChannelEvent[], options?: { listRooms?: boolean }): WebhookResult
  rooms(): RoomSummary[]
  channelCount(): number
  unmatchedCount(): number
}

export interface SyncLoopDeps {
  client: ChannelListSource
  presence: PresenceSink
  prefix: string
  options: SyncOptions
  /** Stores and publishes a tick; the loop waits for it so ticks never overlap. */
  onTick(tick: SyncTick): Promise<void>
  onGap(gap: { from: number; to: number; reason: string }): void
  onStatus(status: SyncStatus): void
  verifyWebhook(headers: IncomingHttpHeaders, rawBody: Buffer): boolean
  logger: Logger
  now?: () => number
  random?: () => number
  /** How often webhook events are applied as one tick. */
  webhookFlushMs?: number
  /**
   * Most webhook events accepted and not yet applied (queued, or in a tick being applied and stored);
   * beyond it the receiver answers 503 and Pusher retries. Default 100,000 (5 s at 20,000 a second).
   */
  maxQueuedWebhookEvents?: number
}

export const DEFAULT_MAX_QUEUED_WEBHOOK_EVENTS = 100_000
/**
 * How far ahead of this machine's clock a webhook's `time_ms` may be. Times are how news is ordered
 * (presence-state.ts): one from a clock running ahead would outrank every poll until then, so a channel
 * it says is occupied could outlive its vacating as a ghost. Later times are taken as now plus this.
 */
export const MAX_WEBHOOK_CLOCK_SKEW_MS = 2000
/** Webhook events applied between two looks at the clock (about a millisecond's work). */
const WEBHOOK_APPLY_SLICE = 512
/** A webhook tick holds the event loop about this long at most before letting it go. */
const WEBHOOK_APPLY_BUDGET_MS = 12

/**
 * Keeps the presence state in step with the app: polls the channel list (never two polls at once,
 * backing off on failures), receives webhooks, and in hybrid mode reconciles webhooks with a periodic
 * poll, counting the drift. A failed poll opens a gap that closes at the next success.
 */
export class SyncLoop {
  private readonly deps: SyncLoopDeps
  private readonly now: () => number
  private readonly random: () => number
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  /** Times the wait for the next poll again (after new intervals); null when not waiting an interval. */
  private retime: (() => void) | null = null
  /** "Sync now" came while a poll was under way: that poll's request may predate it, so poll again. */
  private pollRequested = false
  private receiver: WebhookReceiver | null = null
  private flushTimer: ReturnType<typeof setInterval> | null = null
  private pendingEvents: WebhookChannelEvent[] = []
  /** Events accepted and not yet applied: pending, in the webhook tick being applied, or being stored. */
  private unapplied = 0
  private webhookTickRunning = false
  /** A flush came while a tick was being applied: the next tick starts as soon as that one is done. */
  private flushMissed = false
  /**
   * The last webhook tick being stored (its onTick). The next tick is applied meanwhile, so applying
   * (CPU) and storing (SQLite, the disk) overlap; the history writes ticks one after another in order.
   */
  private storing: Promise<void> = Promise.resolve()
  /** The receiver's counters, published at most once per flush rather than once per request. */
  private webhookCounts = { received: 0, rejected: 0, lastAt: null as number | null, changed: false }
  /** Whether webhook times ahead of the clock have been reported (once per sync loop). */
  private clockSkewLogged = false
  /** Refusing with 503 since this time (logged once per episode); null while keeping up. */
  private overloadedSince: number | null = null
  private baselineAt: number | null = null
  private gapFrom: number | null = null
  private applying: Promise<void> = Promise.resolve()
  /** The receiver has just started after polls stood in for it: the next poll is a new starting point. */
  private rebaseline = false
  /** The poll in flight, aborted when the loop stops. */
  private inFlight: AbortController | null = null
  private status: SyncStatus

  constructor(deps: SyncLoopDeps) {
    this.deps = deps
    this.now = deps.now ?? Date.now
    this.random = deps.random ?? Math.random
    const usesWebhooks = deps.options.mode !== 'poll'
    this.status = {
      mode: deps.options.mode,
      state: 'starting',
      lastSuccessAt: null,
      lastAttemptAt: null,
      nextAttemptAt: null,
      latencyMs: null,
      responseBytes: null,
      channels: 0,
      unmatched: 0,
      participants: 0,
      rooms: 0,
      error: null,
      webhook: usesWebhooks
        ? { listening: false, address: null, received: 0, rejected: 0, lastAt: null, error: null }
        : null,
      drift: deps.options.mode === 'hybrid' ? { lastCheckAt: null, last: 0, total: 0, checks: 0 } : null,
    }
  }

  get current(): SyncStatus {
    return this.status
  }

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    if (this.deps.options.mode !== 'poll') await this.startReceiver()
    this.publish()
    this.loop = this.pollLoop()
  }

  /** Stops polling and the receiver; a request in flight is given up, and nothing is applied after. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.inFlight?.abort()
    this.wake?.()
    if (this.flushTimer) clearInterval(this.flushTimer)
    await this.receiver?.stop()
    await this.loop
    await this.applying
    // Events the receiver accepted (answered 200) are applied before stopping: Pusher won't send them again.
    this.flushWebhookEvents(true)
    await this.applying
    await this.storing
    if (this.gapFrom !== null) {
      this.deps.onGap({
        from: this.gapFrom,
        to: this.now(),
        reason: this.status.error?.message ?? 'sync stopped while failing',
      })
      this.gapFrom = null
    }
    this.status = { ...this.status, state: 'stopped', nextAttemptAt: null }
    this.publish()
  }

  /** The options it syncs with now. */
  get options(): SyncOptions {
    return this.deps.options
  }

  /**
   * Takes new poll and reconcile intervals without stopping, so nothing is read again: a wait under way
   * for the next poll is timed again from when it began. Any other option needs a new loop.
   */
  setIntervals(intervals: Pick<SyncOptions, 'pollIntervalSec' | 'reconcileIntervalSec'>): void {
    const { pollIntervalSec, reconcileIntervalSec } = intervals
    this.deps.options = { ...this.deps.options, pollIntervalSec, reconcileIntervalSec }
    this.retime?.()
  }

  /** Runs the next poll now instead of waiting (e.g. the operator pressed "sync now"). */
  pollNow(): void {
    if (this.wake !== null) this.wake()
    else if (this.running) this.pollRequested = true
  }

  private publish(): void {
    this.deps.onStatus(this.status)
  }

  /**
   * Starts the webhook receiver; true once it listens. While it can't, the status says why and the loop
   * polls at the poll interval instead, trying the receiver again before each poll.
   */
  private async startReceiver(): Promise<boolean> {
    const { options, logger } = this.deps
    const receiver = new WebhookReceiver({
      host: options.webhookHost,
      port: options.webhookPort,
      verify: (headers, body) => this.deps.verifyWebhook(headers, body),
      onEvents: (events) => this.queueWebhookEvents(events),
      onRejected: () => {
        this.webhookCounts.rejected++
        this.webhookCounts.changed = true
      },
      onError: (error) => logger.warn('the webhook receiver failed', error),
    })
    try {
      const address = await receiver.start()
      if (!this.running) {
        await receiver.stop()
        return false
      }
      this.receiver = receiver
      if (this.status.webhook?.error) logger.info(`webhook receiver listening on ${address} again`)
      this.bumpWebhook({ listening: true, address, error: null })
    } catch (error) {
      const problem = receiverStartProblem(error, options.webhookHost, options.webhookPort)
      const message = `${problem}. Polling every ${options.pollIntervalSec} s instead, and trying the port again before each poll`
      if (this.status.webhook?.error !== message) logger.warn(message)
      this.bumpWebhook({ listening: false, address: null, error: message })
      return false
    }
    this.flushTimer = setInterval(() => this.flushWebhookEvents(), this.deps.webhookFlushMs ?? 1000)
    return true
  }

  private bumpWebhook(change: Partial<NonNullable<SyncStatus['webhook']>>): void {
    if (!this.status.webhook) return
    this.status = { ...this.status, webhook: { ...this.status.webhook, ...change } }
    this.publish()
  }

  /**
   * A signed batch's events, from the receiver: queued for the next flush, or refused (false: 503) when
   * that would put more than the bound of events accepted and not yet applied.
   */
  private queueWebhookEvents(events: WebhookChannelEvent[]): boolean {
    const limit = this.deps.maxQueuedWebhookEvents ?? DEFAULT_MAX_QUEUED_WEBHOOK_EVENTS
    if (this.unapplied + events.length > limit) {
      if (this.overloadedSince === null) {
        this.overloadedSince = this.now()
        this.deps.logger.warn(
          `webhook events arrive faster than they can be applied: ${this.unapplied.toLocaleString('en-US')} are waiting, so further batches are answered 503 and Pusher sends them again`,
        )
      }
      return false
    }
    if (this.overloadedSince !== null) {
      this.deps.logger.info(`webhook events are accepted again after ${this.now() - this.overloadedSince} ms of 503s`)
      this.overloadedSince = null
    }
    const latest = this.now() + MAX_WEBHOOK_CLOCK_SKEW_MS
    let ahead = 0
    for (const event of events) {
      if (event.time_ms > latest) {
        event.time_ms = latest
        ahead++
      }
      this.pendingEvents.push(event)
    }
    if (ahead > 0 && !this.clockSkewLogged) {
      this.clockSkewLogged = true
      this.deps.logger.warn(
        `webhook times run ahead of this computer's clock (by more than ${MAX_WEBHOOK_CLOCK_SKEW_MS / 1000} s): they are taken as arriving now; check the clock here and the sender's`,
      )
    }
    this.unapplied += events.length
    this.webhookCounts.received++
    this.webhookCounts.lastAt = this.now()
    this.webhookCounts.changed = true
    return true
  }

  /** The receiver's counters into the status, published once (not once per request). */
  private publishWebhookCounts(): void {
    const counts = this.webhookCounts
    if (!counts.changed || !this.status.webhook) return
    counts.changed = false
    this.bumpWebhook({ received: counts.received, rejected: counts.rejected, lastAt: counts.lastAt })
  }

  /**
   * Applies buffered webhook events as one tick, after the first snapshot (which they may predate).
   * While a tick is still being applied, events keep waiting and the next tick starts when it is done,
   * with all of them: under load ticks grow rather than queue up. `final` applies what is left when
   * stopping.
   */
  private flushWebhookEvents(final = false): void {
    this.publishWebhookCounts()
    if (this.webhookTickRunning && !final) {
      this.flushMissed = true
      return
    }
    if (this.pendingEvents.length === 0) return
    if (this.baselineAt === null) {
      // Nothing to apply them to yet: they wait (bounded by the queue), unless the loop is stopping.
      if (final) {
        this.unapplied -= this.pendingEvents.length
        this.pendingEvents = []
      }
      return
    }
    const baseline = this.baselineAt
    const taken = this.pendingEvents
    this.pendingEvents = []
    // Older than the first snapshot: already part of it. (The presence state orders events by time.)
    const events = taken.filter((event) => event.time_ms >= baseline)
    this.unapplied -= taken.length - events.length
    if (!events.length) return
    this.webhookTickRunning = true
    this.applying = this.applying
      .then(() => this.applyWebhookTick(events, final))
      .finally(() => {
        this.webhookTickRunning = false
        if (this.flushMissed && this.running) {
          this.flushMissed = false
          this.flushWebhookEvents()
        }
      })
  }

  /**
   * One webhook tick: applied to the presence state in slices, letting the event loop go every
   * WEBHOOK_APPLY_BUDGET_MS (a tick of a firehose, 20,000 events a second, must not hold it), then
   * handed to onTick without waiting for it to be stored (see `storing`). Its events count as
   * unapplied until it is. Never rejects, so a bad batch can't block the polls and ticks after it.
   */
  private async applyWebhookTick(events: WebhookChannelEvent[], final = false): Promise<void> {
    let handedOn = false
    try {
      if (!this.running && !final) return
      // In order of time across the slices (stable: events of one time keep their order of arrival).
      events.sort((a, b) => a.time_ms - b.time_ms)
      const joins: Member[] = []
      const leaves: Member[] = []
      let applied: WebhookResult | null = null
      let at = 0
      let heldSince = performance.now()
      for (let from = 0; from < events.length; from += WEBHOOK_APPLY_SLICE) {
        if (performance.now() - heldSince >= WEBHOOK_APPLY_BUDGET_MS) {
          await yieldToEventLoop()
          heldSince = performance.now()
        }
        const slice = events.slice(from, from + WEBHOOK_APPLY_SLICE)
        applied = this.deps.presence.applyWebhookEvents(slice, { listRooms: false })
        for (const member of applied.joins) joins.push(member)
        for (const member of applied.leaves) leaves.push(member)
        at = Math.max(at, applied.at)
      }
      if (applied === null) return
      const channels = this.deps.presence.channelCount()
      const unmatched = this.deps.presence.unmatchedCount()
      // A channel that is no participant changes only the counts of channels, which a tick carries too.
      const countsChanged = channels !== this.status.channels || unmatched !== this.status.unmatched
      if (joins.length === 0 && leaves.length === 0 && !countsChanged) return
      const result: IngestResult = {
        at,
        channels,
        unmatched,
        joins,
        leaves,
        rooms: this.deps.presence.rooms(),
        total: applied.total,
      }
      this.status = { ...this.status, ...this.counts(result) }
      // onTick publishes the tick at once and stores it after the ticks before it.
      const storingThis = this.deps.onTick({ source: 'webhook', result, drift: 0, afterGap: false })
      handedOn = true
      this.storing = Promise.all([this.storing, storingThis])
        .catch((error: unknown) => this.deps.logger.error('webhook events could not be stored', error))
        .then(() => {
          this.unapplied -= events.length
        })
      this.publish()
    } catch (error) {
      this.deps.logger.error('webhook events could not be applied', error)
    } finally {
      if (!handedOn) this.unapplied -= events.length
    }
  }

  private counts(result: IngestResult) {
    return {
      channels: result.channels,
      unmatched: result.unmatched,
      participants: result.total,
      rooms: result.rooms.length,
    }
  }

  /** Webhooks are wanted but the receiver isn't listening: polls stand in for them. */
  private get fallingBack(): boolean {
    return this.deps.options.mode !== 'poll' && this.receiver === null
  }

  private intervalMs(): number {
    const { options } = this.deps
    return (
      (options.mode === 'hybrid' && !this.fallingBack ? options.reconcileIntervalSec : options.pollIntervalSec) * 1000
    )
  }

  private async pollLoop(): Promise<void> {
    let first = true
    while (this.running) {
      // start() has just tried the receiver; after that, each poll tries it again until it listens.
      if (!first && this.fallingBack && (await this.startReceiver())) this.rebaseline = true
      first = false
      if (!this.running) break
      const succeeded = await this.pollOnce()
      if (!this.running) break
      // Webhook mode polls only until it has a first snapshot; webhooks carry everything after it.
      if (succeeded && this.deps.options.mode === 'webhook' && !this.fallingBack) {
        this.status = { ...this.status, nextAttemptAt: null }
        this.publish()
        break
      }
      const attempts = this.status.error?.attempts ?? 0
      const requested = this.pollRequested
      this.pollRequested = false
      const delay = requested
        ? 0
        : succeeded
          ? this.intervalMs()
          : backoffDelay(attempts, Math.min(this.intervalMs(), 5000), this.random)
      const waitFrom = this.now()
      this.status = { ...this.status, nextAttemptAt: waitFrom + delay }
      this.publish()
      await new Promise<void>((resolve) => {
        let timer = setTimeout(resolve, delay)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
        // Only a wait of one interval follows a new one; a retry's backoff and a requested poll don't.
        this.retime =
          succeeded && !requested
            ? () => {
                clearTimeout(timer)
                const next = waitFrom + this.intervalMs()
                timer = setTimeout(resolve, Math.max(0, next - this.now()))
                this.status = { ...this.status, nextAttemptAt: next }
                this.publish()
              }
            : null
      })
      this.wake = null
      this.retime = null
    }
  }

  private async pollOnce(): Promise<boolean> {
    const at = this.now()
    // Only a poll between webhooks reconciles them; one standing in for a receiver that is down does not,
    // nor the first one after it started (what changed before it, no webhook could have reported).
    const source: TickSource =
      this.deps.options.mode === 'hybrid' && this.baselineAt !== null && !this.fallingBack && !this.rebaseline
        ? 'reconcile'
        : 'poll'
    this.status = { ...this.status, lastAttemptAt: at }
    const controller = new AbortController()
    this.inFlight = controller
    try {
      // Webhook events are applied between polls, never during one.
      await this.applying
      // The body is read as it downloads (a million channels are 35 MB, never whole in memory), and joins
      // are read lazily: a first sync joins everyone, and a list of a million would be held for its tick.
      const { result, response } = await downloadChannelList(
        this.deps.client,
        this.deps.prefix,
        (body) => this.deps.presence.ingestChannelList(body, at, { lazyJoins: true }),
        { signal: controller.signal },
      )
      const { latencyMs, bytes: responseBytes } = response
      const drift = source === 'reconcile' ? joinCountOf(result) + result.leaves.length : 0
      // The gap first: what the tick brings happened during it, and the history reads it so.
      const afterGap = this.gapFrom !== null
      if (this.gapFrom !== null) {
        this.deps.onGap({ from: this.gapFrom, to: at, reason: this.status.error?.message ?? 'sync failed' })
        this.gapFrom = null
      }
      await this.deps.onTick({ source, result, drift, afterGap })
      this.baselineAt ??= at
      this.rebaseline = false
      const driftStatus = this.status.drift
        ? source === 'reconcile'
          ? {
              lastCheckAt: at,
              last: drift,
              total: this.status.drift.total + drift,
              checks: this.status.drift.checks + 1,
            }
          : this.status.drift
        : null
      this.status = {
        ...this.status,
        ...this.counts(result),
        state: 'ok',
        lastSuccessAt: at,
        latencyMs: Math.round(latencyMs),
        responseBytes,
        error: null,
        drift: driftStatus,
      }
      this.publish()
      return true
    } catch (error) {
      // Given up because the loop is stopping: not a failure of the server.
      if (error instanceof RequestAbortedError || !this.running) return false
      const failure = toFailure(error, this.deps.client.endpoint)
      const previous = this.status.error
      // The last good value held until this attempt failed; from here on nothing is known.
      if (this.gapFrom === null) this.gapFrom = at
      this.status = {
        ...this.status,
        state: 'failing',
        error: {
          kind: failure.kind,
          message: failure.message,
          hint: failure.hint,
          status: failure.status,
          since: previous?.since ?? at,
          attempts: (previous?.attempts ?? 0) + 1,
        },
      }
      this.deps.logger.warn(`sync failed: ${failure.message}`)
      this.publish()
      return false
    } finally {
      if (this.inFlight === controller) this.inFlight = null
    }
  }
}
