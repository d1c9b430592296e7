import { randomUUID } from 'node:crypto'
import type { Credentials } from '../shared/connection.ts'
import { GAP_CAUSE_TITLES, type GapCause } from '../shared/history.ts'
import { compileConvention } from '../shared/naming.ts'
import {
  RATE_WINDOW_MS,
  type PresenceEvent,
  type RoomDetail,
  type RoomDetailInput,
  type RoomsSnapshot,
  type Tick,
  type TickCounts,
} from '../shared/presence.ts'
import type { Profile } from '../shared/profiles.ts'
import type { SyncOptions, SyncStatus } from '../shared/sync.ts'
import { ChannelsClient } from './channels/client.ts'
import type { HistoryStore } from './history/history-store.ts'
import { memberKey, type OpenSessionStart } from './history/session-reader.ts'
import type { Logger } from './logger.ts'
import { joinCountOf, joinsOf, lastJoins } from './presence/joins.ts'
import { PresenceState } from './presence/presence-state.ts'
import type { IngestResult, RoomSummary } from './presence/types.ts'
import { SyncLoop, type SyncTick } from './sync/sync-loop.ts'
import { webhookVerifier } from './sync/webhook-receiver.ts'
import { holdYoungGeneration, releaseYoungGeneration } from './young-generation.ts'

/** The joins (and the leaves) of one sync kept for feeds: a big change must not copy a million of them. */
const RECENT_LIMIT = 500
const TICK_RECENT_LIMIT = 100
/**
 * The joins and leaves remembered for rooms' feeds, across all rooms: those of the last 10 minutes, up
 * to this many (about 5 MB), so a busy room's churn doesn't push a quiet room's out within seconds.
 */
const RECENT_KEPT = 50_000
const RECENT_WINDOW_MS = 10 * 60_000
/** The newest joins and leaves a room's detail lists. */
const ROOM_RECENT_LIMIT = 500
/** Open sessions read per turn of the event loop when learning, after a start, when people joined. */
const RESTORE_PAGE = 2_000
/** Expired raw samples are rolled up and removed this often while connected. */
const RETENTION_EVERY_MS = 10 * 60_000

export interface MonitorOptions {
  profile: Profile
  credentials: Credentials
  history: HistoryStore | null
  logger: Logger
  onTick(tick: Tick): void
  onStatus(status: SyncStatus): void
  /**
   * Every sync's result as it is applied (the broadcaster follows joins and leaves through it);
   * `observed` is false when its joins and leaves were not seen as they happened (see Tick.baseline).
   */
  onIngest?(result: IngestResult, observed: boolean): void
  now?: () => number
  requestTimeoutMs?: number
}

/**
 * Watching one app: the Channels client, the presence state, the sync loop and the history writes,
 * turned into ticks for the UI. One exists per connected profile.
 */
export class Monitor {
  readonly client: ChannelsClient
  readonly presence: PresenceState
  private readonly loop: SyncLoop
  private readonly options: MonitorOptions
  private readonly recent: PresenceEvent[] = []
  /** Since when `recent` holds every join and leave seen: the first sync, or the last one it dropped. */
  private recentFrom: number | null = null
  /** The counts of the ticks of the last minute, for a page's rates (see RoomsSnapshot.rates). */
  private rateTicks: TickCounts[] = []
  private roomsByName = new Map<string, RoomSummary>()
  /** This reading's name and the number of the tick `roomsByName` holds (see Tick.stream and seq). */
  private readonly stream = randomUUID()
  private seq = 0
  private last: IngestResult | null = null
  private retentionTimer: ReturnType<typeof setInterval> | null = null
  /** No tick applied yet: the first is a fresh reading of everyone present. */
  private fresh = true
  /** When the fresh reading was taken: members first seen then may have joined long before. */
  private firstAt: number | null = null
  /** Set by stop(): a pass over the history still running gives up. */
  private stopping = false
  private readonly now: () => number

  constructor(options: MonitorOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    const convention = compileConvention(options.profile.convention)
    this.client = new ChannelsClient(options.credentials, { timeoutMs: options.requestTimeoutMs ?? 10_000 })
    this.presence = new PresenceState(convention)
    this.loop = new SyncLoop({
      client: this.client,
      presence: this.presence,
      prefix: convention.prefix,
      options: options.profile.sync,
      onTick: (tick) => this.applyTick(tick),
      onGap: (gap) => this.options.history?.recordGap(gap),
      onStatus: (status) => this.options.onStatus(status),
      verifyWebhook: webhookVerifier(options.credentials),
      logger: options.logger,
      now: options.now,
    })
  }

  get status(): SyncStatus {
    return this.loop.current
  }

  async start(): Promise<void> {
    const history = this.options.history
    const { profile } = this.options
    // Its first sync is a fresh reading of everyone (after a reconnection or a settings change too, in
    // a process whose young generation has grown since): held until that tick is stored.
    if (this.fresh) holdYoungGeneration()
    // Before the first tick: a changed convention makes it a new reading, and changes are events.
    await history?.recordSetup(this.now(), {
      convention: profile.convention,
      syncMode: profile.sync.mode,
      broadcasting: profile.broadcast.enabled,
    })
    await this.loop.start()
    if (history) {
      void history.applyRetention().catch((error: unknown) => this.options.logger.warn('retention pass failed', error))
      this.retentionTimer = setInterval(() => {
        void history
          .applyRetention()
          .catch((error: unknown) => this.options.logger.warn('retention pass failed', error))
      }, RETENTION_EVERY_MS)
      this.retentionTimer.unref()
    }
  }

  /**
   * Stops syncing, for `cause` (in `detail`'s words): until the next sync, the history has a gap with
   * that cause; sessions stay open for the next sync to continue or end.
   */
  async stop(cause: GapCause = 'stopped', detail: string = GAP_CAUSE_TITLES[cause]): Promise<void> {
    this.stopping = true
    if (this.retentionTimer) clearInterval(this.retentionTimer)
    await this.loop.stop()
    // Stopped before a first tick was stored: nothing will release it.
    if (this.fresh) releaseYoungGeneration()
    await this.options.history?.recordSyncStopped(this.now(), cause, detail)
  }

  pollNow(): void {
    this.loop.pollNow()
  }

  /** The sync options it runs with (new intervals are taken in place: see setSyncIntervals). */
  get syncOptions(): SyncOptions {
    return this.loop.options
  }

  /** New poll and reconcile intervals, taken without a new reading of everyone or a gap in the history. */
  setSyncIntervals(intervals: Pick<SyncOptions, 'pollIntervalSec' | 'reconcileIntervalSec'>): void {
    this.loop.setIntervals(intervals)
  }

  private async applyTick({ source, result, drift, afterGap }: SyncTick): Promise<void> {
    const fresh = this.fresh
    this.fresh = false
    // The first sync lists everyone present as joining, and the first after a gap brings what changed
    // during it: neither is a join or leave seen as it happened, so rates, feeds and the broadcaster's
    // accounting leave them out.
    const baseline = fresh || afterGap
    this.options.onIngest?.(result, !baseline)
    const at = result.at
    if (fresh) this.firstAt = at
    this.recentFrom ??= at
    const byName = new Map(result.rooms.map((room) => [room.room, room]))
    const changed = result.rooms.filter((room) => !sameSummary(this.roomsByName.get(room.room), room))
    const removed = [...this.roomsByName.keys()].filter((room) => !byName.has(room))
    this.roomsByName = byName
    // Numbered as the rooms change, before the tick is stored and sent: a snapshot taken meanwhile
    // already holds these rooms, and says so.
    const seq = ++this.seq
    this.last = result

    this.rateTicks.splice(0, countUpTo(this.rateTicks, at - RATE_WINDOW_MS))
    this.rateTicks.push(
      baseline ? { at, joins: 0, leaves: 0 } : { at, joins: joinCountOf(result), leaves: result.leaves.length },
    )

    const events: PresenceEvent[] = []
    if (!baseline) {
      for (const member of result.leaves.slice(-RECENT_LIMIT)) events.push({ type: 'leave', ...member, at })
      for (const member of lastJoins(result, RECENT_LIMIT)) events.push({ type: 'join', ...member, at })
      this.recent.push(...events)
      let expired = countUpTo(this.recent, at - RECENT_WINDOW_MS)
      const overCap = this.recent.length - RECENT_KEPT
      if (overCap > expired) {
        // Dropped before their 10 minutes were up: the feeds are complete only after the last dropped.
        this.recentFrom = Math.max(this.recentFrom ?? 0, (this.recent[overCap - 1] as PresenceEvent).at)
        expired = overCap
      }
      if (expired > 0) this.recent.splice(0, expired)
    }

    // Join times to read back from the history: only where it had sessions open before this reading
    // (a restart, a reconnection). On a history with none, every session open after it began with it,
    // and reading back a million of them would find nothing.
    const restorable = fresh && (this.options.history?.openSessionsPage(null, 1).length ?? 0) > 0
    // Stored first: what the UI is told about is already in the history, and nothing the UI's side
    // does (an event that no longer matches the contract is dropped) can cost the sync its tick.
    try {
      await this.options.history?.recordTick({
        at,
        rooms: result.rooms,
        joins: joinsOf(result),
        leaves: result.leaves,
        total: result.total,
        channels: result.channels,
        unmatched: result.unmatched,
        baseline: fresh,
      })
    } finally {
      // The first sync, the process's largest churn, is over (stored or failed): V8 may size the young
      // generation as it likes from now on.
      if (fresh) releaseYoungGeneration()
    }
    if (restorable)
      void this.restoreJoinTimes(at).catch((error: unknown) =>
        this.options.logger.warn('could not read when the people present joined', error),
      )
    this.options.onTick({
      at,
      stream: this.stream,
      seq,
      source,
      total: result.total,
      roomCount: result.rooms.length,
      channels: result.channels,
      unmatched: result.unmatched,
      joins: baseline ? 0 : joinCountOf(result),
      leaves: baseline ? 0 : result.leaves.length,
      baseline,
      drift,
      changed,
      removed,
      recent: events.slice(-TICK_RECENT_LIMIT),
    })
  }

  /**
   * After a start the presence state knows only that the people present were there at the first sync;
   * the history, which continued their sessions across the restart, knows when each joined. Sorting
   * participants by when they joined needs that, so it is read back in pages, one turn of the event
   * loop each, so a crowd of a million doesn't hold the syncs.
   */
  private async restoreJoinTimes(seenAt: number): Promise<void> {
    const history = this.options.history
    let after: OpenSessionStart | null = null
    while (history && !this.stopping) {
      const page = history.openSessionsPage(after, RESTORE_PAGE)
      for (const [, room, user, , joined] of page)
        if (joined < seenAt) this.presence.restoreJoinTime(room, user, seenAt, joined)
      if (page.length < RESTORE_PAGE) return
      after = page.at(-1) ?? null
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  rooms(): RoomsSnapshot {
    return {
      at: this.last?.at ?? null,
      stream: this.seq > 0 ? this.stream : null,
      seq: this.seq,
      total: this.last?.total ?? 0,
      channels: this.last?.channels ?? 0,
      unmatched: this.last?.unmatched ?? 0,
      rooms: [...this.roomsByName.values()],
      ...(this.firstAt === null ? {} : { rates: { since: this.firstAt, ticks: [...this.rateTicks] } }),
    }
  }

  roomDetail(input: Required<Pick<RoomDetailInput, 'room' | 'offset' | 'limit'>> & RoomDetailInput): RoomDetail {
    const page = this.presence.members(input.room, {
      search: input.search,
      group: input.group,
      offset: input.offset,
      limit: input.limit,
      sort: input.sort,
      order: input.order,
    })
    // When each session began, as the history knows it: a restart or a gap does not make it begin again.
    const starts = this.options.history?.openSessionStarts(input.room, page.members)
    const participants = page.members.map((member) => {
      const start = starts?.get(memberKey(member.user, member.group))
      return start
        ? { ...member, since: start.joined, sinceExact: start.joinNote === null }
        : { ...member, sinceExact: member.since !== this.firstAt }
    })
    return {
      room: input.room,
      summary: this.roomsByName.get(input.room) ?? null,
      matching: page.total,
      participants,
      recent: this.recent.filter((event) => event.room === input.room).slice(-ROOM_RECENT_LIMIT),
      recentSince: this.recentFrom,
    }
  }
}

/** How many of `list` (oldest first) are at or before `horizon`. */
function countUpTo(list: readonly { at: number }[], horizon: number): number {
  let count = 0
  while (count < list.length && (list[count] as { at: number }).at <= horizon) count++
  return count
}

function sameSummary(before: RoomSummary | undefined, after: RoomSummary): boolean {
  if (!before || before.count !== after.count) return false
  const keys = Object.keys(after.groups)
  if (keys.length !== Object.keys(before.groups).length) return false
  return keys.every((key) => before.groups[key] === after.groups[key])
}
