// The broadcaster of the pattern (DESIGN §6): on its own interval it reads the presence state and
// publishes what participants need: a summary per room whose shown value changed (plus heartbeats and a
// final 0 for rooms that empty), and friend rosters. Under a daily message budget it rounds large rooms
// (adaptive precision), pays for every event from a token bucket before sending it, and spends first
// where participants see the most wrong value. One exists per connected profile, on or off; off, it
// still counts what vanilla presence would have cost and what its own settings would cost (a dry run).
import {
  type BroadcastPreview,
  type BroadcastSettings,
  type BroadcastState,
  type BroadcastStatus,
  type FriendsOf,
  roomTemplateWarnings,
  type TemplateWarning,
} from '../../shared/broadcast.ts'
import type { CompiledConvention } from '../../shared/naming.ts'
import type { Logger } from '../logger.ts'
import { joinCountOf, joinsOf } from '../presence/joins.ts'
import type { IngestResult } from '../presence/types.ts'
import { vanillaDeliveries } from './accounting.ts'
import { AdaptivePrecision } from './adaptive-precision.ts'
import { BudgetQueue } from './budget-queue.ts'
import { type BatchSink, deliver } from './delivery.ts'
import { DryRun } from './dry-run.ts'
import { EmulatorComparison } from './emulator-comparison.ts'
import { EventPlanner, publishCost, type TickContext } from './event-planner.ts'
import type { FriendGraph } from './friend-graph.ts'
import type { Marker } from './marker.ts'
import { OtherBroadcaster } from './other-broadcaster.ts'
import { MessageAccounting, type TickSpend } from './message-accounting.ts'
import { RoomChannels } from './room-channels.ts'
import { SendLimits } from './send-limits.ts'
import { type PresenceReader, RosterTracker } from './rosters.ts'
import type { ServerProbe } from './server-probe.ts'
import { SpendLedger } from './spend-ledger.ts'
import { SummaryTracker } from './summaries.ts'
import { churnByRoom } from './sync-churn.ts'
import { TickSlicer, type TickSlicing } from './tick-slicer.ts'
import { realTimers, type Timers } from './timers.ts'

const MAX_INVALID_EXAMPLES = 5

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
  /** How a tick's planning is sliced (default: 8 ms slices, setImmediate between them). */
  slicing?: TickSlicing
}

export class Broadcaster {
  private readonly options: BroadcasterOptions
  private readonly presence: PresenceReader
  private readonly others: OtherBroadcaster
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
  private readonly accounts: MessageAccounting

  // Adaptive precision and the budget.
  private readonly precision = new AdaptivePrecision()
  private readonly queue = new BudgetQueue()

  /** While off: what the current settings would send, for the projection. */
  private readonly dry: DryRun

  private readonly emulator: EmulatorComparison
  private readonly planner: EventPlanner

  /** Bumped on every switch on or off: work started under an older value stops. */
  private generation = 0
  private running = false
  private timer: unknown = null
  private recheckTimer: ReturnType<typeof setTimeout> | null = null
  private ticking: Promise<void> = Promise.resolve()
  private switching: Promise<void> = Promise.resolve()
  private readonly limits: SendLimits
  /** Aborted on every switch on or off (and on close): requests in flight under it are given up. */
  private work = new AbortController()
  private readonly channels: RoomChannels
  private warnings: TemplateWarning[]
  private lastTick: { at: number; ms: number; cpuMs: number } | null = null
  private closed = false

  constructor(options: BroadcasterOptions) {
    this.options = options
    this.presence = options.presence
    this.others = new OtherBroadcaster(options.marker, options.logger)
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.timers = options.timers ?? realTimers
    this.settings = options.settings
    this.summaries = new SummaryTracker(this.random)
    this.limits = new SendLimits(options.logger, this.random)
    const now = this.now()
    this.accounts = new MessageAccounting(options.ledger ?? SpendLedger.inMemory(options.logger), now)
    this.dry = new DryRun(this.random, now, this.timers)
    this.channels = new RoomChannels(this.settings.channelTemplate)
    this.warnings = roomTemplateWarnings(this.settings, options.convention)
    this.applyBudget(null)
    if (options.graph) this.rosters.setGraph(options.graph, this.presence)
    this.emulator = new EmulatorComparison(options.probe, this.now, () => this.accounts.sessionMessages)
    this.planner = new EventPlanner({
      presence: this.presence,
      now: this.now,
      convention: options.convention,
      summaries: this.summaries,
      rosters: this.rosters,
      channels: this.channels,
      accounts: this.accounts,
      queue: this.queue,
      precision: this.precision,
    })
    this.emulator.identify(() => this.emit())
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /**
   * Every sync's result, from the monitor: joins and leaves for rosters, precision and the vanilla
   * count. `observed` is false for a sync whose joins and leaves were not seen as they happened (the
   * first, which lists everyone already present, or the first after a gap): the vanilla count leaves it out.
   */
  observe(result: IngestResult, observed: boolean = this.baselineSeen): void {
    this.stateAt = result.at
    this.rosters.observe(joinsOf(result), result.leaves)
    if (this.state === 'off' && !this.dry.scheduled && !this.closed) this.scheduleDryRun()
    this.baselineSeen = true
    if (!observed) return
    this.accounts.vanillaKnown()
    if (joinCountOf(result) === 0 && result.leaves.length === 0) return
    const now = this.now()
    // On a cache channel each newcomer is handed the last summary when it subscribes: one more message.
    const cached = (this.state === 'on' || this.state === 'failing') && this.channels.cacheChannels
    let vanilla = 0
    let lateJoiners = 0
    for (const { room, joins, leaves, count } of churnByRoom(result)) {
      this.precision.churned(room, result.at, joins, leaves)
      vanilla += vanillaDeliveries(count ?? 0, joins, leaves)
      if (count === null) this.precision.emptied(room)
      else if (cached && this.summaries.shown(room) !== undefined) lateJoiners += joins
    }
    this.accounts.observed(now, vanilla, lateJoiners)
    // Not a choice the budget can refuse, but paid from it all the same.
    if (lateJoiners > 0) this.queue.gate?.pay(lateJoiners)
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
        this.channels.retarget(settings.channelTemplate)
        this.summaries.clear()
        this.dry.forgetShown()
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
    this.dry.stop()
    this.work.abort()
    await this.switching
    await this.switchOff()
    this.dry.stop()
    this.accounts.flush(this.now())
  }

  /** A new generation of work: what the previous one started stops, its requests are given up. */
  private nextGeneration(): number {
    this.work.abort()
    this.work = new AbortController()
    return ++this.generation
  }

  /** A new gate when the budget changed (none without a budget). */
  private applyBudget(before: BroadcastSettings['budget']): void {
    const budget = this.settings.budget
    this.queue.setBudget(budget, before)
    this.dry.setBudget(budget, before)
    if (budget === null) this.precision.release()
  }

  // ---- switching -------------------------------------------------------------------------------

  private async switchOn(): Promise<void> {
    const generation = this.nextGeneration()
    const { signal } = this.work
    this.clearTimers()
    this.dry.stop()
    this.running = false
    this.setState('starting')
    if (!this.settings.force) {
      const other = await this.others.findOther(signal)
      if (generation !== this.generation || signal.aborted) return
      if (other !== null) return this.block(other)
    }
    this.others.claim()
    this.running = true
    this.emulator.restart()
    this.summaries.resendAll()
    this.schedule(0, generation)
  }

  private block(otherId: string): void {
    this.running = false
    this.clearTimers()
    this.others.blockedBy(otherId, this.now())
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
    this.others.release()
    this.limits.forgetBackoff()
    this.emulator.restart()
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
    this.others.markerChanged(this.running, this.state === 'blocked', this.now())
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
    if (!this.limits.mayTry(now) || this.stateAt === null) return
    // Against the emulator, its count is read before the first send, so both counts start together.
    if (!this.emulator.started) await this.readEmulator(generation)
    if (generation !== this.generation) return
    const startedAt = performance.now()
    const cpu = process.cpuUsage()
    const spend: TickSpend = { at: now, estimated: 0, accepted: 0, actual: 0 }
    const context = this.tickContext(now)
    // Planning pauses between slices; switched off or reconfigured meanwhile, the tick is dropped whole.
    const slicer = new TickSlicer(
      () => generation === this.generation && this.running && this.settings === context.settings,
      this.options.slicing,
    )
    const outgoing = await this.planner.plan(context, spend, slicer)
    if (outgoing === null) return
    if (spend.estimated > 0 && this.queue.gate !== null) this.accounts.reserve(now, spend.estimated)

    const outcome = await deliver(outgoing, {
      sink: this.options.sink,
      concurrency: this.settings.concurrency,
      batchSize: this.limits.batchSize,
      endpoint: this.options.endpoint,
      timeoutMs: this.options.timeoutMs,
      active: () => generation === this.generation && this.running,
      signal: this.work.signal,
      onAccepted: (batch, reported) =>
        this.accounts.accepted(this.now(), batch, reported, spend, publishCost(this.settings), this.channels),
    })
    this.accounts.settle(this.now(), spend, this.queue.gate)
    if (generation !== this.generation) return
    this.setState(this.limits.record(outcome, this.now, this.settings.intervalMs) ? 'failing' : 'on')
    this.precision.adjust(this.now(), this.queue.gate, this.queue.waiting)
    // Process CPU while the tick ran: planning, serialising, signing and the HTTP client's work.
    const cpuUsed = process.cpuUsage(cpu)
    this.lastTick = { at: this.now(), ms: performance.now() - startedAt, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000 }
    await this.readEmulator(generation)
    this.emit()
  }

  private tickContext(now: number): TickContext {
    return { settings: this.settings, eventBytes: this.limits.eventBytes, now, ts: this.stateAt ?? now }
  }

  /** Against the emulator, reads its own count every few seconds, between ticks (nothing in flight). */
  private readEmulator(generation: number): Promise<void> {
    return this.emulator.read(this.work.signal, () => generation === this.generation)
  }

  // ---- the dry run (while off) -----------------------------------------------------------------

  private scheduleDryRun(): void {
    this.dry.after(this.settings.intervalMs, () => {
      if (this.state !== 'off' || this.closed) return
      this.dryTick(this.now())
      this.scheduleDryRun()
    })
  }

  /** What a tick would send now with the current settings, counted but never sent. */
  private dryTick(now: number): void {
    const rooms = this.presence.rooms()
    const costs = this.planner.roomCosts(rooms, this.settings)
    this.dry.tick(now, {
      rooms,
      costs,
      figures: this.planner.figuresOf(rooms, now, this.settings, costs),
      channels: this.channels,
      perEvent: publishCost(this.settings),
      heartbeatMs: this.channels.cacheChannels ? Infinity : this.settings.heartbeatMs,
      intervalMs: this.settings.intervalMs,
      ts: this.stateAt ?? now,
    })
    this.emit()
  }

  // ---- queries ---------------------------------------------------------------------------------

  preview(room: string): BroadcastPreview {
    return this.planner.preview(room, this.tickContext(this.now()))
  }

  friendsOf(room: string, user: string): FriendsOf {
    return { room, user, friends: this.rosters.friendsIn(room, user), total: this.rosters.totalFriends(user) }
  }

  status(): BroadcastStatus {
    const now = this.now()
    const sending = this.state !== 'off' && this.state !== 'blocked'
    const dryRunning = this.state === 'off' && this.stateAt !== null
    const steadyRate = sending ? this.accounts.steadyPerSecond(now) : dryRunning ? this.dry.perSecond(now) : 0
    return {
      enabled: this.settings.enabled,
      state: this.state,
      intervalMs: this.settings.intervalMs,
      target: this.emulator.target,
      ...this.accounts.status(now),
      projectedPerDay: steadyRate * 86_400,
      projectionBasis: sending ? 'sending' : dryRunning ? 'dry-run' : 'none',
      subscribers: !this.settings.countSubscribers
        ? 'participants'
        : this.channels.subscribersReported
          ? 'reported'
          : 'not-reported',
      budget: this.queue.status(
        this.settings.budget,
        now,
        this.accounts.spentToday(now),
        steadyRate,
        this.precision.pressure,
        MAX_INVALID_EXAMPLES,
      ),
      measured: this.emulator.status(),
      warnings: this.warnings,
      rooms: this.summaries.size,
      lastTickAt: this.lastTick?.at ?? null,
      lastTickMs: this.lastTick?.ms ?? null,
      lastTickCpuMs: this.lastTick?.cpuMs ?? null,
      lastError: this.limits.lastError(),
      invalidChannels: this.channels.refusedChannels(MAX_INVALID_EXAMPLES),
      ...this.others.status(),
      friends: {
        enabled: this.settings.friends.enabled,
        unavailable: this.planner.rosterTemplate(this.settings).unavailable,
        rostersToday: this.accounts.rostersSent,
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
