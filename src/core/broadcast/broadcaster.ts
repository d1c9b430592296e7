// The broadcaster of the pattern (DESIGN §6): on its own interval it reads the presence state and
// publishes what participants need: a summary per room whose shown value changed (plus heartbeats and a
// final 0 for rooms that empty), and friend rosters. Under a daily message budget it rounds large rooms
// (adaptive precision), pays for every event from a token bucket before sending it, and spends first
// where participants see the most wrong value. One exists per connected profile, on or off; off, it
// still counts what vanilla presence would have cost and what its own settings would cost (a dry run).
import { Buffer } from 'node:buffer'
import {
  type BroadcastPreview,
  type BroadcastSettings,
  type BroadcastState,
  type BroadcastStatus,
  type FriendsOf,
  isCacheChannelName,
  roomTemplateWarnings,
  type ShownSummary,
  type TemplateWarning,
} from '../../shared/broadcast.ts'
import { channelNameProblem, channelTemplateProblem, fillChannelTemplate } from '../../shared/channel-names.ts'
import type { CompiledConvention } from '../../shared/naming.ts'
import { roundingError } from '../../shared/precision.ts'
import { EVENT_DATA_BUDGET_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/pusher-limits.ts'
import type { Failure } from '../channels/errors.ts'
import type { Logger } from '../logger.ts'
import type { IngestResult, RoomSummary } from '../presence/types.ts'
import { backoffDelay } from '../sync/backoff.ts'
import { MessageMeter, vanillaDeliveries } from './accounting.ts'
import { BudgetGate, DAY_MS, utcDayStart } from './budget.ts'
import { type BatchSink, deliver, type Outgoing } from './delivery.ts'
import type { FriendGraph } from './friend-graph.ts'
import { describeMarker, type Marker } from './marker.ts'
import { rosterData, summaryData } from './payload.ts'
import { ChurnTracker, PrecisionPolicy } from './precision-policy.ts'
import { type PresenceReader, RosterTracker } from './rosters.ts'
import type { ServerKind, ServerProbe } from './server-probe.ts'
import { SpendLedger } from './spend-ledger.ts'
import { type PlannedSummary, type SummaryReason, SummaryTracker } from './summaries.ts'

/** Smallest event size a 413 can shrink the budget to. */
const MIN_EVENT_BUDGET = 1000
const MAX_INVALID_EXAMPLES = 5
/** How often the emulator's own count is read while broadcasting to it. */
const MEASURE_EVERY_MS = 5000
/** Without a budget, the spend is written at most this often (with one, before every send). */
const FLUSH_EVERY_MS = 10_000
/** Most figures pressure can drop, and how long it waits between steps up and down. */
const MAX_PRESSURE = 6
const PRESSURE_UP_MS = 30_000
const PRESSURE_DOWN_MS = 120_000

/** Order of a summary in the queue for the budget: what must go out first. */
const RANK: Record<SummaryReason, number> = { emptied: 0, first: 1, jump: 2, precision: 2, changed: 3, heartbeat: 4 }

/** Timers, injectable so a benchmark can run simulated minutes in moments. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface BroadcasterOptions {
  presence: PresenceReader
  sink: BatchSink
  marker: Marker
  convention: CompiledConvention
  settings: BroadcastSettings
  graph: FriendGraph | null
  /** For error messages, e.g. http://127.0.0.1:6001. */
  endpoint: string
  timeoutMs: number
  logger: Logger
  onStatus(status: BroadcastStatus): void
  /** What was spent, per UTC quarter-hour (kept on disk per profile); in memory when absent. */
  ledger?: SpendLedger
  /** Tells the emulator from Pusher and reads the emulator's own count; none: the target stays unknown. */
  probe?: ServerProbe
  now?: () => number
  random?: () => number
  timers?: Timers
  /** How often a blocked broadcaster looks again whether the other one has gone (default 15 s). */
  recheckMs?: number
}

interface RoomChannel {
  channel: string
  problem: string | null
}

interface LastError {
  failure: Failure
  at: number
  attempts: number
}

/** A summary's events ready to send, and what they cost. */
interface Priced {
  planned: PlannedSummary
  channel: string
  data: string[]
  split: boolean
  truncated: boolean
  /** Estimated subscribers of the room channel, and the messages the events cost (publishing included). */
  subscribers: number
  cost: number
}

/** What one tick sent and what it was expected to cost, for settling the spend afterwards. */
interface TickSpend {
  at: number
  estimated: number
  accepted: number
  actual: number
}

export class Broadcaster {
  private readonly options: BroadcasterOptions
  private readonly presence: PresenceReader
  private readonly marker: Marker
  private readonly now: () => number
  private readonly random: () => number
  private readonly timers: Timers
  private settings: BroadcastSettings
  private state: BroadcastState = 'off'
  private readonly summaries: SummaryTracker
  private readonly rosters = new RosterTracker()
  /** Time of the newest presence state seen (the `ts` of summaries); null before the first sync. */
  private stateAt: number | null = null
  private baselineSeen = false
  private vanillaSeen = false

  private readonly ledger: SpendLedger
  /** Rates over the last minute: billed messages, deliveries, events, requests. */
  private readonly messages: MessageMeter
  private readonly deliveries: MessageMeter
  private readonly events: MessageMeter
  private readonly requests: MessageMeter
  /** Billed messages less first values (sent once): the rate a day is projected from. */
  private readonly steady: MessageMeter
  private readonly vanilla: MessageMeter
  private rostersSent = 0
  private splitEvents = 0
  private truncatedEvents = 0
  private lastFlushAt = 0

  // Adaptive precision and the budget.
  private readonly churn = new ChurnTracker()
  private readonly policy = new PrecisionPolicy()
  private gate: BudgetGate | null = null
  private pressure = 0
  private pressureAt = 0
  /** Rooms whose change waited for the budget at the last tick, and why. */
  private waiting = new Map<string, string>()
  private readonly unaffordable = new Map<string, number>()
  /** Subscriber counts the server reported per channel (with `countSubscribers`). */
  private readonly reported = new Map<string, number>()
  private subscribersReported = false

  // Dry run while off: what the current settings would send, for the projection.
  private readonly dry: { summaries: SummaryTracker; meter: MessageMeter; gate: BudgetGate | null; spent: number }
  private dryTimer: unknown = null

  private target: ServerKind | 'unknown' = 'unknown'
  /** The emulator's count and ours when broadcasting switched on; then the latest reading. */
  /** The emulator's count and ours, both as they were at the last reading (`at`), so they compare. */
  private measure: {
    since: number
    emulatorBase: number
    oursBase: number
    at: number
    emulator: number
    ours: number
  } | null = null
  /** Messages counted since connecting (never reset), to compare with the emulator's count. */
  private sessionMessages = 0
  private measuring = false

  /** Bumped on every switch on or off: work started under an older value stops. */
  private generation = 0
  private running = false
  private timer: unknown = null
  private recheckTimer: ReturnType<typeof setTimeout> | null = null
  private ticking: Promise<void> = Promise.resolve()
  private switching: Promise<void> = Promise.resolve()
  private budget = EVENT_DATA_BUDGET_BYTES
  /** Events per request: Pusher's 10, fewer once a server turned out to limit the size of a request. */
  private batchSize = MAX_EVENTS_PER_BATCH
  /** Aborted on every switch on or off (and on close): requests in flight under it are given up. */
  private work = new AbortController()
  private backoffUntil = 0
  private lastError: LastError | null = null
  private other: { detectedAt: number; detail: string } | null = null
  private readonly invalid = new Map<string, string>()
  /** Each room's summary channel and why Pusher would refuse it (null: valid), worked out once. */
  private roomChannels = new Map<string, RoomChannel>()
  private cacheChannels: boolean
  private warnings: TemplateWarning[]
  private lastTick: { at: number; ms: number; cpuMs: number } | null = null
  private closed = false

  constructor(options: BroadcasterOptions) {
    this.options = options
    this.presence = options.presence
    this.marker = options.marker
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.timers = options.timers ?? realTimers
    this.settings = options.settings
    this.ledger = options.ledger ?? SpendLedger.inMemory(options.logger)
    this.summaries = new SummaryTracker(this.random)
    const now = this.now()
    this.messages = new MessageMeter(now)
    this.deliveries = new MessageMeter(now)
    this.events = new MessageMeter(now)
    this.requests = new MessageMeter(now)
    this.steady = new MessageMeter(now)
    this.vanilla = new MessageMeter(now)
    this.dry = { summaries: new SummaryTracker(this.random), meter: new MessageMeter(now), gate: null, spent: 0 }
    this.cacheChannels = this.isCacheTemplate()
    this.warnings = roomTemplateWarnings(this.settings, options.convention)
    this.applyBudget(null)
    if (options.graph) this.rosters.setGraph(options.graph, this.presence)
    if (options.probe) {
      options.probe
        .identify()
        .then((kind) => {
          this.target = kind
          this.emit()
        })
        .catch(() => {})
    }
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /**
   * Every sync's result, from the monitor: joins and leaves for rosters, precision and the vanilla
   * count. `observed` is false for a sync whose joins and leaves were not seen as they happened (the
   * first, which lists everyone already present, or the first after a gap): the vanilla count leaves it out.
   */
  observe(result: IngestResult, observed: boolean = this.baselineSeen): void {
    this.stateAt = result.at
    this.rosters.observe(result.joins, result.leaves)
    if (this.state === 'off' && this.dryTimer === null && !this.closed) this.scheduleDryRun()
    this.baselineSeen = true
    if (!observed) return
    this.vanillaSeen = true
    if (result.joins.length === 0 && result.leaves.length === 0) return
    const changes = new Map<string, { joins: number; leaves: number }>()
    const touch = (room: string) => {
      let entry = changes.get(room)
      if (entry === undefined) {
        entry = { joins: 0, leaves: 0 }
        changes.set(room, entry)
      }
      return entry
    }
    for (const member of result.joins) touch(member.room).joins++
    for (const member of result.leaves) touch(member.room).leaves++
    const now = this.now()
    let vanilla = 0
    let lateJoiners = 0
    const sending = this.state === 'on' || this.state === 'failing'
    for (const [room, entry] of changes) this.churn.observe(room, result.at, entry.joins, entry.leaves)
    for (const summary of result.rooms) {
      const entry = changes.get(summary.room)
      if (entry === undefined) continue
      vanilla += vanillaDeliveries(summary.count, entry.joins, entry.leaves)
      // On a cache channel each newcomer is handed the last summary when it subscribes: one more message.
      if (sending && this.cacheChannels && this.summaries.shown(summary.room) !== undefined) lateJoiners += entry.joins
      changes.delete(summary.room)
    }
    // Rooms left out of `rooms` emptied.
    for (const [room, entry] of changes) {
      vanilla += vanillaDeliveries(0, entry.joins, entry.leaves)
      this.churn.forget(room)
      this.policy.forget(room)
    }
    this.vanilla.add(vanilla, now)
    this.ledger.add(now, { vanilla, deliveries: lateJoiners, messages: lateJoiners })
    if (lateJoiners > 0) {
      this.count(now, { messages: lateJoiners, deliveries: lateJoiners, steady: lateJoiners })
      // Not a choice the budget can refuse, but paid from it all the same.
      this.gate?.pay(lateJoiners)
    }
  }

  setGraph(graph: FriendGraph | null): void {
    this.rosters.setGraph(graph, this.presence)
    this.emit()
  }

  /** Applies new settings; `enabled` switches on (within one interval) or off (nothing sent after this resolves). */
  configure(settings: BroadcastSettings): Promise<void> {
    // Switching off must not wait for a server that is slow or stalled: give up what is in flight now.
    if (!settings.enabled) this.work.abort()
    const next = this.switching.then(async () => {
      const before = this.settings
      this.settings = settings
      if (before.channelTemplate !== settings.channelTemplate || before.eventName !== settings.eventName) {
        // New channels (or a new event): every room's value is a first value there.
        this.roomChannels = new Map()
        this.invalid.clear()
        this.reported.clear()
        this.summaries.clear()
        this.dry.summaries.clear()
        this.cacheChannels = this.isCacheTemplate()
      }
      this.warnings = roomTemplateWarnings(settings, this.options.convention)
      this.applyBudget(before.budget)
      if (!settings.enabled) {
        if (this.state !== 'off') await this.switchOff()
      } else if (this.state === 'off' || (this.state === 'blocked' && settings.force && !before.force)) {
        await this.switchOn()
      }
      this.emit()
    })
    this.switching = next.catch(() => {})
    return next
  }

  /** Stops for good (disconnecting). */
  async close(): Promise<void> {
    this.closed = true
    this.stopDryRun()
    this.work.abort()
    await this.switching
    await this.switchOff()
    this.stopDryRun()
    this.ledger.flush(this.now())
  }

  /** A new generation of work: what the previous one started stops, its requests are given up. */
  private nextGeneration(): number {
    this.work.abort()
    this.work = new AbortController()
    return ++this.generation
  }

  private isCacheTemplate(): boolean {
    return isCacheChannelName(fillChannelTemplate(this.settings.channelTemplate, { room: 'room' }))
  }

  /** A new gate when the budget changed (none without a budget). */
  private applyBudget(before: BroadcastSettings['budget']): void {
    const budget = this.settings.budget
    if (budget === null) {
      this.gate = null
      this.dry.gate = null
      this.pressure = 0
      this.waiting.clear()
      this.unaffordable.clear()
      return
    }
    if (this.gate === null || before?.messagesPerDay !== budget.messagesPerDay) {
      this.gate = new BudgetGate(budget.messagesPerDay)
      this.dry.gate = new BudgetGate(budget.messagesPerDay)
      this.unaffordable.clear()
    }
  }

  // ---- switching -------------------------------------------------------------------------------

  private async switchOn(): Promise<void> {
    const generation = this.nextGeneration()
    const { signal } = this.work
    this.clearTimers()
    this.stopDryRun()
    this.running = false
    this.setState('starting')
    if (!this.settings.force) {
      let others: string[] = []
      try {
        others = await this.marker.othersNow({ signal })
      } catch (error) {
        // Not knowing is no reason to stay silent: the live marker still reveals a rival later.
        if (!signal.aborted)
          this.options.logger.warn(`could not check for another broadcaster: ${(error as Error).message}`)
      }
      if (generation !== this.generation || signal.aborted) return
      if (others.length > 0) {
        this.block(others[0] as string)
        return
      }
    }
    this.other = null
    this.marker.hold()
    this.running = true
    this.measure = null
    this.summaries.resendAll()
    this.schedule(0, generation)
  }

  private block(otherId: string): void {
    this.running = false
    this.clearTimers()
    this.marker.release()
    this.other = {
      detectedAt: this.now(),
      detail: `${capitalise(describeMarker(otherId))} is already broadcasting to this app`,
    }
    this.setState('blocked')
    const generation = this.generation
    this.recheckTimer = setTimeout(() => {
      if (generation !== this.generation || !this.settings.enabled) return
      this.switching = this.switching
        .then(() => (generation === this.generation && this.state === 'blocked' ? this.switchOn() : undefined))
        .catch(() => {})
    }, this.options.recheckMs ?? 15_000)
    this.recheckTimer.unref?.()
  }

  private async switchOff(): Promise<void> {
    this.nextGeneration()
    this.running = false
    this.clearTimers()
    await this.ticking
    this.marker.release()
    this.other = null
    this.backoffUntil = 0
    this.measure = null
    this.setState('off')
    if (this.stateAt !== null && !this.closed) this.scheduleDryRun()
  }

  private clearTimers(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    if (this.recheckTimer) clearTimeout(this.recheckTimer)
    this.timer = null
    this.recheckTimer = null
  }

  /** The marker connection changed: someone joined the marker channel, or the connection came or went. */
  markerChanged(): void {
    const others = this.marker.othersLive
    if (this.running && others.length > 0 && this.other === null) {
      // Both consoles keep going only if forced; otherwise the operator sees the warning on both.
      this.other = {
        detectedAt: this.now(),
        detail: `${capitalise(describeMarker(others[0] as string))} is also broadcasting to this app: every message is doubled`,
      }
    } else if (others.length === 0 && this.state !== 'blocked') {
      this.other = null
    }
    this.emit()
  }

  // ---- the loop --------------------------------------------------------------------------------

  private schedule(delay: number, generation: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = null
      if (generation !== this.generation || !this.running) return
      const started = this.now()
      this.ticking = this.tick(generation)
        .catch((error: unknown) => this.options.logger.error('broadcast tick failed', error))
        .then(() => {
          if (generation === this.generation && this.running) {
            this.schedule(Math.max(0, this.settings.intervalMs - (this.now() - started)), generation)
          }
        })
    }, delay)
  }

  private async tick(generation: number): Promise<void> {
    const now = this.now()
    if (now < this.backoffUntil || this.stateAt === null) return
    // Against the emulator, its count is read before the first send, so both counts start together.
    if (this.measure === null) await this.readEmulator(generation)
    if (generation !== this.generation) return
    const startedAt = performance.now()
    const cpu = process.cpuUsage()
    const spend: TickSpend = { at: now, estimated: 0, accepted: 0, actual: 0 }
    const outgoing = this.plan(now, spend)
    if (spend.estimated > 0 && this.gate !== null) {
      // Counted before it is sent, and written down: a crash mid-tick can't hide spend from the next start.
      this.ledger.add(now, { messages: spend.estimated })
      this.ledger.flush(now)
      this.lastFlushAt = now
    }

    const outcome = await deliver(outgoing, {
      sink: this.options.sink,
      concurrency: this.settings.concurrency,
      batchSize: this.batchSize,
      endpoint: this.options.endpoint,
      timeoutMs: this.options.timeoutMs,
      active: () => generation === this.generation && this.running,
      signal: this.work.signal,
      onAccepted: (batch, reported) => this.accepted(batch, reported, spend),
    })
    this.settle(spend)
    if (generation !== this.generation) return
    const failure = outcome.failure
    if (failure !== null) {
      const attempts = (this.lastError?.attempts ?? 0) + 1
      this.lastError = { failure, at: this.now(), attempts }
      const limit = outcome.sizeLimit
      if (failure.kind === 'too-large' && limit?.scope === 'request') {
        // The server limits a request, not an event: fewer events per request, at the next tick.
        this.batchSize = Math.max(1, Math.min(this.batchSize, Math.floor(limit.events / 2)))
        this.options.logger.info(`the server limits the size of a request: now ${this.batchSize} events per request`)
      } else if (failure.kind === 'too-large' && this.budget > MIN_EVENT_BUDGET) {
        // The server's limit on an event is smaller than Pusher's: smaller events, at the next tick.
        this.budget = Math.max(MIN_EVENT_BUDGET, Math.floor(this.budget / 2))
      } else {
        this.backoffUntil = this.now() + backoffDelay(attempts, Math.max(1000, this.settings.intervalMs), this.random)
      }
      this.options.logger.warn(`broadcast failed (${failure.kind}): ${failure.message}`)
      this.setState('failing')
    } else {
      this.lastError = null
      this.setState('on')
    }
    this.adjustPressure(this.now())
    // Process CPU while the tick ran: planning, serialising, signing and the HTTP client's work.
    const cpuUsed = process.cpuUsage(cpu)
    this.lastTick = { at: this.now(), ms: performance.now() - startedAt, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000 }
    await this.readEmulator(generation)
    this.emit()
  }

  /** After each accepted request: the events' deliveries, as reported or estimated. */
  private accepted(batch: readonly Outgoing[], reported: ReadonlyArray<number | null>, spend: TickSpend): void {
    const at = this.now()
    const perEvent = this.publishCost()
    let deliveries = 0
    let firsts = 0
    batch.forEach((event, index) => {
      const count = reported[index] ?? null
      if (count !== null) {
        this.reported.set(event.channel, count)
        this.subscribersReported = true
      }
      const delivered = count ?? event.recipients
      deliveries += delivered
      if ((event as PricedOutgoing).first === true) firsts += delivered + perEvent
      spend.accepted += event.recipients + perEvent
      spend.actual += delivered + perEvent
    })
    const messages = deliveries + batch.length * perEvent
    this.requests.add(1, at)
    this.ledger.add(spend.at, { requests: 1, events: batch.length, deliveries })
    this.count(at, { messages, deliveries, events: batch.length, steady: messages - firsts })
  }

  /**
   * What the tick's estimate left to settle: events not accepted give their cost back (to the ledger and
   * the bucket); reported subscriber counts above the estimate are paid on top.
   */
  private settle(spend: TickSpend): void {
    const correction = spend.actual - spend.accepted
    const unsent = spend.estimated - spend.accepted
    if (this.gate !== null) {
      // Reserved before sending: give back what didn't go, add what cost more than estimated.
      const change = correction - unsent
      if (change !== 0) this.ledger.add(spend.at, { messages: change })
      if (unsent > 0) this.gate.refund(unsent)
      if (correction > 0) this.gate.pay(correction)
      else if (correction < 0) this.gate.refund(-correction)
    } else if (spend.actual > 0) {
      this.ledger.add(spend.at, { messages: spend.actual })
    }
    const now = this.now()
    if (this.gate !== null ? spend.estimated > 0 : now - this.lastFlushAt >= FLUSH_EVERY_MS) {
      this.ledger.flush(now)
      this.lastFlushAt = now
    }
  }

  private count(at: number, amounts: { messages: number; deliveries: number; events?: number; steady: number }): void {
    this.messages.add(amounts.messages, at)
    this.deliveries.add(amounts.deliveries, at)
    if (amounts.events) this.events.add(amounts.events, at)
    this.steady.add(amounts.steady, at)
    this.sessionMessages += amounts.messages
  }

  /** Messages one published event costs: one, or two when it asks for the subscription count. */
  private publishCost(): number {
    return this.settings.countSubscribers ? 2 : 1
  }

  private roomChannel(room: string): RoomChannel {
    let known = this.roomChannels.get(room)
    if (known === undefined) {
      const channel = fillChannelTemplate(this.settings.channelTemplate, { room })
      known = { channel, problem: channelNameProblem(channel) }
      if (known.problem !== null) this.invalid.set(channel, known.problem)
      this.roomChannels.set(room, known)
    }
    return known
  }

  /** Subscribers a summary to the room reaches: its participants, or more if the server said so. */
  private subscribersOf(channel: string, participants: number): number {
    const reported = this.reported.get(channel)
    return reported === undefined ? participants : Math.max(participants, reported)
  }

  /**
   * Each room's significant figures under the budget (null: exact). A room's share of the budget is the
   * same number of publishes a second for every room (the budget's pace over the total fan-out), at
   * most one per interval.
   */
  private figuresOf(
    rooms: readonly RoomSummary[],
    now: number,
    costs = this.roomCosts(rooms),
  ): (summary: RoomSummary) => number | null {
    const budget = this.settings.budget
    if (budget === null) return () => null
    const pace = budget.messagesPerDay / 86_400
    const publishesPerSecond = Math.min(
      1000 / this.settings.intervalMs,
      costs.total > 0 ? pace / costs.total : Infinity,
    )
    return (summary) =>
      this.policy.figures(
        summary.room,
        summary.count,
        this.churn.rate(summary.room, now),
        publishesPerSecond,
        this.pressure,
      )
  }

  /**
   * What one summary to every room costs together (the fan-out the budget is shared over), and the
   * costliest one the budget can ever pay (the bucket is sized to hold it). Nothing to count without a budget.
   */
  private roomCosts(rooms: readonly RoomSummary[]): { total: number; largest: number } {
    const budget = this.settings.budget
    if (budget === null) return { total: 0, largest: 0 }
    const perEvent = this.publishCost()
    let total = 0
    let largest = 0
    for (const summary of rooms) {
      const cost = this.subscribersOf(this.roomChannel(summary.room).channel, summary.count) + perEvent
      total += cost
      if (cost <= budget.messagesPerDay && cost > largest) largest = cost
    }
    return { total, largest }
  }

  /** This tick's events: summaries (paid for in order of urgency under a budget), then rosters. */
  private plan(now: number, spend: TickSpend): Outgoing[] {
    const rooms = this.presence.rooms()
    const costs = this.roomCosts(rooms)
    const planned = this.summaries.plan(rooms, now, this.figuresOf(rooms, now, costs))
    const gate = this.gate
    const outgoing: Outgoing[] = []
    const ts = this.stateAt ?? now
    if (gate === null) {
      for (const candidate of planned) {
        const priced = this.price(candidate, ts)
        if (priced !== null) this.addSummaryEvents(outgoing, priced, now, ts)
      }
      this.addRosters(outgoing, ts, null, spend)
      return outgoing
    }

    // The day's spend before this tick, plus what this tick has paid so far.
    const spentBefore = this.ledger.today(now, 'messages')
    const spentToday = () => spentBefore + spend.estimated
    const priced: Priced[] = []
    for (const candidate of planned) {
      const item = this.price(candidate, ts)
      if (item !== null) priced.push(item)
    }
    priced.sort(
      (a, b) =>
        RANK[a.planned.reason] - RANK[b.planned.reason] ||
        (a.planned.reason === 'first' ? a.cost - b.cost : b.planned.urgency - a.planned.urgency),
    )
    let largest = costs.largest
    // A summary in parts costs each part.
    for (const item of priced) if (gate.affordable(item.cost)) largest = Math.max(largest, item.cost)
    gate.refill(now, spentToday(), largest)
    this.waiting = new Map()
    let saving: string | null = null
    for (const item of priced) {
      const room = item.planned.summary.room
      if (!gate.affordable(item.cost)) {
        this.unaffordable.set(room, item.cost)
        continue
      }
      this.unaffordable.delete(room)
      if (saving !== null) {
        if (item.planned.reason !== 'heartbeat') this.waiting.set(room, saving)
        continue
      }
      if (item.planned.reason === 'heartbeat') {
        // Heartbeats only from a surplus: they tell nobody anything new.
        if (gate.available - item.cost < gate.capacity / 2 || !gate.canPay(item.cost, spentToday())) continue
      } else if (!gate.canPay(item.cost, spentToday())) {
        saving = `waiting for the budget (${Math.ceil(item.cost).toLocaleString('en-US')} messages, ${Math.floor(gate.available).toLocaleString('en-US')} available)`
        this.waiting.set(room, saving)
        continue
      }
      gate.pay(item.cost)
      spend.estimated += item.cost
      this.addSummaryEvents(outgoing, item, now, ts)
    }
    if (saving === null) this.addRosters(outgoing, ts, gate, spend)
    return outgoing
  }

  /** A planned summary's events and their cost; null when its channel name is invalid. */
  private price(planned: PlannedSummary, ts: number): Priced | null {
    const { channel, problem } = this.roomChannel(planned.summary.room)
    if (problem !== null) {
      // Never sent, so there is nothing to announce when it empties.
      if (planned.reason === 'emptied') this.summaries.forget(planned.summary.room)
      return null
    }
    const built = summaryData(planned.shown, ts, this.budget, {
      figures: planned.figures,
      maxParts: this.cacheChannels ? 1 : undefined,
    })
    const subscribers = this.subscribersOf(channel, planned.summary.count)
    return {
      planned,
      channel,
      data: built.data,
      split: built.split,
      truncated: built.truncated,
      subscribers,
      cost: built.data.length * (subscribers + this.publishCost()),
    }
  }

  private addSummaryEvents(outgoing: Outgoing[], priced: Priced, now: number, ts: number): void {
    const { planned, channel } = priced
    const name = this.settings.eventName
    const recipients = priced.subscribers
    const heartbeatMs = this.cacheChannels ? Infinity : this.settings.heartbeatMs
    const info = this.settings.countSubscribers ? 'subscription_count' : undefined
    const first = planned.reason === 'first'
    if (!priced.split) {
      // The usual case, one event: no count of parts to keep.
      const accepted = () => this.summaries.commit(planned, now, heartbeatMs, ts)
      const event: PricedOutgoing = { channel, name, data: priced.data[0] as string, recipients, accepted }
      if (info !== undefined) event.info = info
      if (first) event.first = true
      outgoing.push(event)
      return
    }
    let waiting = priced.data.length
    const accepted = () => {
      if (--waiting > 0) return
      this.summaries.commit(planned, now, heartbeatMs, ts)
      if (priced.data.length > 1) this.splitEvents++
      if (priced.truncated) this.truncatedEvents++
    }
    for (const data of priced.data) {
      const event: PricedOutgoing = { channel, name, data, recipients, accepted }
      if (info !== undefined) event.info = info
      if (first) event.first = true
      outgoing.push(event)
    }
  }

  /** The user-channel template rosters go to, or why there is none. */
  private rosterTemplate(): { template: string | null; unavailable: string | null } {
    const friends = this.settings.friends
    if (!this.rosters.hasGraph) return { template: null, unavailable: 'No friend graph imported' }
    const template =
      friends.channelTemplate ??
      (this.options.convention.convention.kind === 'template' ? this.options.convention.convention.template : null)
    if (template === null) {
      return {
        template: null,
        unavailable:
          'The naming convention is a regular expression: set a roster channel template ({room}, {user}, optionally {group})',
      }
    }
    const problem = channelTemplateProblem(template, ['room', 'user', 'group'], ['room', 'user'])
    return problem === null ? { template, unavailable: null } : { template: null, unavailable: problem }
  }

  /** Changed rosters; under a budget, each paid for (one delivery each, plus publishing) until it runs out. */
  private addRosters(outgoing: Outgoing[], ts: number, gate: BudgetGate | null, spend: TickSpend): void {
    if (!this.settings.friends.enabled) return
    const { template } = this.rosterTemplate()
    if (template === null) return
    const perEvent = this.publishCost()
    const spentBefore = gate === null ? 0 : this.ledger.today(this.now(), 'messages')
    for (const roster of this.rosters.plan()) {
      const channel = fillChannelTemplate(template, roster)
      const problem =
        template.includes('{group}') && roster.group === null
          ? 'the user has no group, and the roster channel template needs one'
          : channelNameProblem(channel)
      if (problem !== null) {
        this.invalid.set(channel, problem)
        this.rosters.drop(roster)
        continue
      }
      const built = rosterData(roster.room, roster.user, roster.friends, ts, this.budget)
      if (gate !== null) {
        const cost = built.data.length * (1 + perEvent)
        // What doesn't fit waits: a roster stays due until it is sent.
        if (!gate.canPay(cost, spentBefore + spend.estimated)) break
        gate.pay(cost)
        spend.estimated += cost
      }
      let waiting = built.data.length
      const accepted = () => {
        if (--waiting > 0) return
        this.rosters.commit(roster)
        this.rostersSent++
      }
      for (const data of built.data)
        outgoing.push({ channel, name: this.settings.friends.eventName, data, recipients: 1, accepted })
    }
  }

  /** Under a budget, drops a figure while changes wait and the bucket runs low; gives it back when it fills. */
  private adjustPressure(now: number): void {
    const gate = this.gate
    if (gate === null) return
    const low = gate.available < gate.capacity * 0.2
    const high = gate.available > gate.capacity * 0.8
    if (this.waiting.size > 0 && low && this.pressure < MAX_PRESSURE && now - this.pressureAt >= PRESSURE_UP_MS) {
      this.pressure++
      this.pressureAt = now
    } else if (high && this.waiting.size === 0 && this.pressure > 0 && now - this.pressureAt >= PRESSURE_DOWN_MS) {
      this.pressure--
      this.pressureAt = now
    }
  }

  /** Against the emulator, reads its own count every few seconds, between ticks (nothing in flight). */
  private async readEmulator(generation: number): Promise<void> {
    const probe = this.options.probe
    if (probe === undefined || this.target !== 'emulator' || this.measuring) return
    const now = this.now()
    if (this.measure !== null && now - this.measure.at < MEASURE_EVERY_MS) return
    this.measuring = true
    try {
      const emulator = await probe.emulatorMessages(this.work.signal)
      if (generation !== this.generation) return
      const at = this.now()
      if (this.measure === null || emulator < this.measure.emulator) {
        // The first reading, or the emulator's counts were reset: start comparing from here.
        const ours = this.sessionMessages
        this.measure = { since: at, emulatorBase: emulator, oursBase: ours, at, emulator, ours }
      } else {
        this.measure.at = at
        this.measure.emulator = emulator
        this.measure.ours = this.sessionMessages
      }
    } catch {
      // No reading this time; the last one stands.
    } finally {
      this.measuring = false
    }
  }

  // ---- the dry run (while off) -----------------------------------------------------------------

  private scheduleDryRun(): void {
    this.dryTimer = this.timers.setTimeout(() => {
      this.dryTimer = null
      if (this.state !== 'off' || this.closed) return
      this.dryTick(this.now())
      this.scheduleDryRun()
    }, this.settings.intervalMs)
  }

  private stopDryRun(): void {
    if (this.dryTimer !== null) this.timers.clearTimeout(this.dryTimer)
    this.dryTimer = null
  }

  /** What a tick would send now with the current settings, counted but never sent. */
  private dryTick(now: number): void {
    const rooms = this.presence.rooms()
    const costs = this.roomCosts(rooms)
    const planned = this.dry.summaries.plan(rooms, now, this.figuresOf(rooms, now, costs))
    const gate = this.dry.gate
    const perEvent = this.publishCost()
    const heartbeatMs = this.cacheChannels ? Infinity : this.settings.heartbeatMs
    if (utcDayStart(now) !== utcDayStart(now - this.settings.intervalMs)) this.dry.spent = 0
    gate?.refill(now, this.dry.spent, costs.largest)
    let steady = 0
    for (const candidate of planned) {
      const { channel, problem } = this.roomChannel(candidate.summary.room)
      if (problem !== null) continue
      const cost = this.subscribersOf(channel, candidate.summary.count) + perEvent
      if (gate !== null) {
        const surplusOnly = candidate.reason === 'heartbeat'
        if (!gate.canPay(cost, this.dry.spent) || (surplusOnly && gate.available - cost < gate.capacity / 2)) continue
        gate.pay(cost)
        this.dry.spent += cost
      }
      this.dry.summaries.commit(candidate, now, heartbeatMs, this.stateAt ?? now)
      if (candidate.reason !== 'first') steady += cost
    }
    this.dry.meter.add(steady, now)
    this.emit()
  }

  // ---- queries ---------------------------------------------------------------------------------

  preview(room: string): BroadcastPreview {
    const { channel, problem } = this.roomChannel(room)
    if (problem !== null) {
      return {
        room,
        events: [],
        source: 'would-send',
        problem: `Nothing is sent for this room: ${problem}`,
        shown: null,
      }
    }
    const now = this.now()
    const summary = this.presence.room(room) ?? { room, count: 0, groups: {} }
    const figuresNow = this.figuresOf(this.presence.rooms(), now)(summary)
    const sent = this.summaries.shown(room)
    const maxParts = this.cacheChannels ? 1 : undefined
    const built =
      sent === undefined
        ? summaryData(summary, this.stateAt ?? now, this.budget, { figures: figuresNow, maxParts })
        : summaryData({ room, count: sent.count, groups: sent.groups }, sent.ts, this.budget, {
            figures: sent.figures,
            maxParts,
          })
    const shown: ShownSummary | null =
      sent === undefined
        ? null
        : {
            count: sent.count,
            precision: sent.figures,
            roundingError: roundingError(sent.trueCount, sent.figures),
            publishedAt: sent.publishedAt,
            countNow: summary.count,
            offBy: Math.abs(summary.count - sent.count),
            precisionNow: figuresNow,
            waiting: this.waiting.get(room) ?? null,
          }
    return {
      room,
      events: built.data.map((data) => ({
        channel,
        event: this.settings.eventName,
        data,
        bytes: Buffer.byteLength(data, 'utf8'),
      })),
      source: sent === undefined ? 'would-send' : 'sent',
      problem: null,
      shown,
    }
  }

  friendsOf(room: string, user: string): FriendsOf {
    return { room, user, friends: this.rosters.friendsIn(room, user), total: this.rosters.totalFriends(user) }
  }

  status(): BroadcastStatus {
    const now = this.now()
    const requestRate = this.requests.perSecond(now)
    const examples = [...this.invalid].slice(0, MAX_INVALID_EXAMPLES).map(([channel, reason]) => ({ channel, reason }))
    const error = this.lastError
    const sending = this.state !== 'off' && this.state !== 'blocked'
    const dryRunning = this.state === 'off' && this.stateAt !== null
    const steadyRate = sending ? this.steady.perSecond(now) : dryRunning ? this.dry.meter.perSecond(now) : 0
    const messagesToday = this.ledger.today(now, 'messages')
    const budget = this.settings.budget
    const gate = this.gate
    const dayEnd = utcDayStart(now) + DAY_MS
    const measure = this.measure
    return {
      enabled: this.settings.enabled,
      state: this.state,
      intervalMs: this.settings.intervalMs,
      target: this.target,
      messagesPerSecond: this.messages.perSecond(now),
      deliveriesPerSecond: this.deliveries.perSecond(now),
      eventsPerSecond: this.events.perSecond(now),
      messagesToday,
      eventsToday: this.ledger.today(now, 'events'),
      requestsToday: this.ledger.today(now, 'requests'),
      projectedPerDay: steadyRate * 86_400,
      projectionBasis: sending ? 'sending' : dryRunning ? 'dry-run' : 'none',
      requestsPerSecond: requestRate,
      eventsPerRequest: requestRate > 0 ? this.events.perSecond(now) / requestRate : 0,
      subscribers: !this.settings.countSubscribers
        ? 'participants'
        : this.subscribersReported
          ? 'reported'
          : 'not-reported',
      spend: this.ledger.recent(now),
      vanillaPresence: {
        today: this.ledger.today(now, 'vanilla'),
        projectedPerDay: this.vanillaSeen ? this.vanilla.projectedPerDay(now) : null,
      },
      budget:
        budget === null || gate === null
          ? null
          : {
              messagesPerDay: budget.messagesPerDay,
              plan: budget.plan,
              spentToday: messagesToday,
              remainingToday: Math.max(0, budget.messagesPerDay - messagesToday),
              resetsAt: dayEnd,
              projectedToday: Math.min(budget.messagesPerDay, messagesToday + steadyRate * ((dayEnd - now) / 1000)),
              available: Math.max(0, gate.available),
              capacity: gate.capacity,
              refillPerSecond: gate.refillPerSecond,
              pressure: this.pressure,
              waiting: this.waiting.size,
              unaffordable: {
                count: this.unaffordable.size,
                examples: [...this.unaffordable].slice(0, MAX_INVALID_EXAMPLES).map(([room, cost]) => ({ room, cost })),
              },
            },
      measured:
        measure === null
          ? null
          : {
              since: measure.since,
              at: measure.at,
              emulatorMessages: measure.emulator - measure.emulatorBase,
              headcountMessages: measure.ours - measure.oursBase,
            },
      warnings: this.warnings,
      rooms: this.summaries.size,
      lastTickAt: this.lastTick?.at ?? null,
      lastTickMs: this.lastTick?.ms ?? null,
      lastTickCpuMs: this.lastTick?.cpuMs ?? null,
      lastError:
        error === null
          ? null
          : {
              kind: error.failure.kind,
              message: error.failure.message,
              hint: error.failure.hint,
              status: error.failure.status,
              at: error.at,
              attempts: error.attempts,
            },
      invalidChannels: { count: this.invalid.size, examples },
      splitEvents: this.splitEvents,
      truncatedEvents: this.truncatedEvents,
      otherBroadcaster: this.other,
      marker: this.marker.state,
      friends: {
        enabled: this.settings.friends.enabled,
        unavailable: this.rosterTemplate().unavailable,
        rostersToday: this.rostersSent,
      },
    }
  }

  private setState(state: BroadcastState): void {
    if (this.state === state) return
    this.state = state
    this.emit()
  }

  private emit(): void {
    this.options.onStatus(this.status())
  }
}

/** An event with what it is for: a first value is sent once, so it is left out of the daily projection. */
interface PricedOutgoing extends Outgoing {
  first?: true
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
