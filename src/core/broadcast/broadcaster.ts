// The broadcaster of the pattern (DESIGN §6): on its own interval it reads the presence state and
// publishes what participants need: a summary per room whose summary changed (plus heartbeats and a
// final 0 for rooms that empty), and friend rosters. One exists per connected profile, on or off; off,
// it still counts what vanilla presence would have cost.
import { Buffer } from 'node:buffer'
import type {
  BroadcastPreview,
  BroadcastSettings,
  BroadcastState,
  BroadcastStatus,
  FriendsOf,
} from '../../shared/broadcast.ts'
import { channelNameProblem, channelTemplateProblem, fillChannelTemplate } from '../../shared/channel-names.ts'
import type { CompiledConvention } from '../../shared/naming.ts'
import { EVENT_DATA_BUDGET_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/pusher-limits.ts'
import type { Failure } from '../channels/errors.ts'
import type { Logger } from '../logger.ts'
import type { IngestResult } from '../presence/types.ts'
import { backoffDelay } from '../sync/backoff.ts'
import { MessageMeter, vanillaDeliveries } from './accounting.ts'
import { type BatchSink, deliver, type Outgoing } from './delivery.ts'
import type { FriendGraph } from './friend-graph.ts'
import { describeMarker, type Marker } from './marker.ts'
import { rosterData, summaryData } from './payload.ts'
import { type PresenceReader, RosterTracker } from './rosters.ts'
import { type PlannedSummary, SummaryTracker } from './summaries.ts'

/** Smallest event size a 413 can shrink the budget to. */
const MIN_EVENT_BUDGET = 1000
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
  now?: () => number
  random?: () => number
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

export class Broadcaster {
  private readonly options: BroadcasterOptions
  private readonly presence: PresenceReader
  private readonly marker: Marker
  private readonly now: () => number
  private readonly random: () => number
  private settings: BroadcastSettings
  private state: BroadcastState = 'off'
  private readonly summaries: SummaryTracker
  private readonly rosters = new RosterTracker()
  /** Time of the newest presence state seen (the `ts` of summaries); null before the first sync. */
  private stateAt: number | null = null
  private baselineSeen = false

  private readonly messages: MessageMeter
  private readonly events: MessageMeter
  private readonly requests: MessageMeter
  private readonly vanilla: MessageMeter
  private rostersSent = 0
  private splitEvents = 0
  private truncatedEvents = 0

  /** Bumped on every switch on or off: work started under an older value stops. */
  private generation = 0
  private running = false
  private timer: ReturnType<typeof setTimeout> | null = null
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
  private lastTick: { at: number; ms: number; cpuMs: number } | null = null

  constructor(options: BroadcasterOptions) {
    this.options = options
    this.presence = options.presence
    this.marker = options.marker
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.settings = options.settings
    this.summaries = new SummaryTracker(this.random)
    const now = this.now()
    this.messages = new MessageMeter(now)
    this.events = new MessageMeter(now)
    this.requests = new MessageMeter(now)
    this.vanilla = new MessageMeter(now)
    if (options.graph) this.rosters.setGraph(options.graph, this.presence)
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /**
   * Every sync's result, from the monitor: joins and leaves for rosters and the vanilla count.
   * `observed` is false for a sync whose joins and leaves were not seen as they happened (the first,
   * which lists everyone already present, or the first after a gap): the vanilla count leaves it out.
   */
  observe(result: IngestResult, observed: boolean = this.baselineSeen): void {
    this.stateAt = result.at
    this.rosters.observe(result.joins, result.leaves)
    this.baselineSeen = true
    if (!observed) return
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
    let deliveries = 0
    for (const summary of result.rooms) {
      const entry = changes.get(summary.room)
      if (entry === undefined) continue
      deliveries += vanillaDeliveries(summary.count, entry.joins, entry.leaves)
      changes.delete(summary.room)
    }
    // Rooms left out of `rooms` emptied.
    for (const entry of changes.values()) deliveries += vanillaDeliveries(0, entry.joins, entry.leaves)
    this.vanilla.add(deliveries, this.now())
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
        this.roomChannels = new Map()
        this.invalid.clear()
        this.summaries.resendAll()
      }
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
    this.work.abort()
    await this.switching
    await this.switchOff()
  }

  /** A new generation of work: what the previous one started stops, its requests are given up. */
  private nextGeneration(): number {
    this.work.abort()
    this.work = new AbortController()
    return ++this.generation
  }

  // ---- switching -------------------------------------------------------------------------------

  private async switchOn(): Promise<void> {
    const generation = this.nextGeneration()
    const { signal } = this.work
    this.clearTimers()
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
    this.setState('off')
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer)
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
    this.timer = setTimeout(() => {
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
    const startedAt = performance.now()
    const cpu = process.cpuUsage()
    const outgoing = [...this.planSummaries(now), ...this.planRosters()]

    const outcome = await deliver(outgoing, {
      sink: this.options.sink,
      concurrency: this.settings.concurrency,
      batchSize: this.batchSize,
      endpoint: this.options.endpoint,
      timeoutMs: this.options.timeoutMs,
      active: () => generation === this.generation && this.running,
      signal: this.work.signal,
      onAccepted: (batch) => {
        const at = this.now()
        this.requests.add(1, at)
        this.events.add(batch.length, at)
        let recipients = 0
        for (const event of batch) recipients += event.recipients
        this.messages.add(recipients, at)
      },
    })
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
    // Process CPU while the tick ran: planning, serialising, signing and the HTTP client's work.
    const cpuUsed = process.cpuUsage(cpu)
    this.lastTick = { at: this.now(), ms: performance.now() - startedAt, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000 }
    this.emit()
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

  private planSummaries(now: number): Outgoing[] {
    const outgoing: Outgoing[] = []
    const ts = this.stateAt ?? now
    for (const planned of this.summaries.plan(this.presence.rooms(), now)) {
      const { channel, problem } = this.roomChannel(planned.summary.room)
      if (problem !== null) {
        // Never sent, so there is nothing to announce when it empties.
        if (planned.reason === 'emptied') this.summaries.forget(planned.summary.room)
        continue
      }
      this.addSummaryEvents(outgoing, planned, channel, ts, now)
    }
    return outgoing
  }

  private addSummaryEvents(
    outgoing: Outgoing[],
    planned: PlannedSummary,
    channel: string,
    ts: number,
    now: number,
  ): void {
    const built = summaryData(planned.summary, ts, this.budget)
    const name = this.settings.eventName
    const recipients = planned.summary.count
    if (!built.split) {
      // The usual case, one event: no count of parts to keep.
      const accepted = () => this.summaries.commit(planned, now, this.settings.heartbeatMs)
      outgoing.push({ channel, name, data: built.data[0] as string, recipients, accepted })
      return
    }
    let waiting = built.data.length
    const accepted = () => {
      if (--waiting > 0) return
      this.summaries.commit(planned, now, this.settings.heartbeatMs)
      this.splitEvents++
      if (built.truncated) this.truncatedEvents++
    }
    for (const data of built.data) outgoing.push({ channel, name, data, recipients, accepted })
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

  private planRosters(): Outgoing[] {
    if (!this.settings.friends.enabled) return []
    const { template } = this.rosterTemplate()
    if (template === null) return []
    const outgoing: Outgoing[] = []
    const ts = this.stateAt ?? this.now()
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
      let waiting = built.data.length
      const accepted = () => {
        if (--waiting > 0) return
        this.rosters.commit(roster)
        this.rostersSent++
      }
      for (const data of built.data)
        outgoing.push({ channel, name: this.settings.friends.eventName, data, recipients: 1, accepted })
    }
    return outgoing
  }

  // ---- queries ---------------------------------------------------------------------------------

  preview(room: string): BroadcastPreview {
    const { channel, problem } = this.roomChannel(room)
    if (problem !== null) return { room, events: [], problem: `Nothing is sent for this room: ${problem}` }
    const summary = this.presence.room(room) ?? { room, count: 0, groups: {} }
    const built = summaryData(summary, this.stateAt ?? this.now(), this.budget)
    return {
      room,
      events: built.data.map((data) => ({
        channel,
        event: this.settings.eventName,
        data,
        bytes: Buffer.byteLength(data, 'utf8'),
      })),
      problem: null,
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
    return {
      enabled: this.settings.enabled,
      state: this.state,
      intervalMs: this.settings.intervalMs,
      messagesPerSecond: this.messages.perSecond(now),
      messagesToday: this.messages.today(now),
      projectedPerDay: this.messages.projectedPerDay(now),
      eventsToday: this.events.today(now),
      requestsToday: this.requests.today(now),
      requestsPerSecond: requestRate,
      eventsPerRequest: requestRate > 0 ? this.events.perSecond(now) / requestRate : 0,
      vanillaPresence: { today: this.vanilla.today(now), projectedPerDay: this.vanilla.projectedPerDay(now) },
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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
