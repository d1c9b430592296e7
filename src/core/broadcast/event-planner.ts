// What one tick sends: each room's due summary as events (split in parts when it is too big for one),
// priced in messages and, under a budget, paid for in order of urgency; then changed friend rosters.
// An event's `accepted` runs once the server took it, so a room counts as shown only then.
import { Buffer } from 'node:buffer'
import type { BroadcastPreview, BroadcastSettings, ShownSummary } from '../../shared/broadcast.ts'
import { channelNameProblem, channelTemplateProblem, fillChannelTemplate } from '../../shared/channel-names.ts'
import type { CompiledConvention } from '../../shared/naming.ts'
import { roundingError } from '../../shared/precision.ts'
import type { RoomSummary } from '../presence/types.ts'
import type { AdaptivePrecision } from './adaptive-precision.ts'
import type { BudgetGate } from './budget.ts'
import { type BudgetQueue, type RoomCosts, roomCosts } from './budget-queue.ts'
import type { Outgoing } from './delivery.ts'
import type { MessageAccounting, PricedOutgoing, TickSpend } from './message-accounting.ts'
import { fitsOneEvent, rosterData, summaryData, wholeSummaryText } from './payload.ts'
import type { RoomChannels } from './room-channels.ts'
import type { PresenceReader, RosterTracker } from './rosters.ts'
import type { PlannedSummary, SummaryTracker } from './summaries.ts'
import { TickSlicer } from './tick-slicer.ts'

/** For a caller that plans in one go: never pauses. */
const unsliced = new TickSlicer(() => true, { sliceMs: Infinity })

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

/** What a tick is planned under: the settings, the largest event the server takes, and the times. */
export interface TickContext {
  settings: BroadcastSettings
  /** Bytes of data an event may carry. */
  eventBytes: number
  now: number
  /** The `ts` of summaries: when the presence state was read. */
  ts: number
}

/** What committing a tick's summary needs, shared by all its events. */
interface TickCommit {
  summaries: SummaryTracker
  now: number
  heartbeatMs: number
  ts: number
}

/**
 * A summary sent in one event (the usual case), counted as shown once the server accepts it. A class
 * rather than an object with a closure: ten thousand of them are made at every tick.
 */
class WholeSummaryEvent implements PricedOutgoing {
  readonly channel: string
  readonly name: string
  readonly data: string
  readonly recipients: number
  declare info?: string
  declare first?: true
  private readonly planned: PlannedSummary
  private readonly commit: TickCommit

  constructor(
    channel: string,
    name: string,
    data: string,
    recipients: number,
    planned: PlannedSummary,
    commit: TickCommit,
  ) {
    this.channel = channel
    this.name = name
    this.data = data
    this.recipients = recipients
    this.planned = planned
    this.commit = commit
  }

  accepted(): void {
    const { summaries, now, heartbeatMs, ts } = this.commit
    summaries.commit(this.planned, now, heartbeatMs, ts)
  }
}

export interface PlannerParts {
  presence: PresenceReader
  now: () => number
  convention: CompiledConvention
  summaries: SummaryTracker
  rosters: RosterTracker
  channels: RoomChannels
  accounts: MessageAccounting
  queue: BudgetQueue
  precision: AdaptivePrecision
}

/** Messages one published event costs: one, or two when it asks for the subscription count. */
export function publishCost(settings: BroadcastSettings): number {
  return settings.countSubscribers ? 2 : 1
}

export class EventPlanner {
  private readonly parts: PlannerParts

  constructor(parts: PlannerParts) {
    this.parts = parts
  }

  roomCosts(rooms: readonly RoomSummary[], settings: BroadcastSettings): RoomCosts {
    return roomCosts(rooms, settings.budget, this.parts.channels, publishCost(settings))
  }

  /** Each room's significant figures under the budget (null: exact). */
  figuresOf(
    rooms: readonly RoomSummary[],
    now: number,
    settings: BroadcastSettings,
    costs = this.roomCosts(rooms, settings),
  ): (summary: RoomSummary) => number | null {
    return this.parts.precision.figuresOf(settings.budget, settings.intervalMs, costs.total, now)
  }

  /**
   * This tick's events: summaries (paid for in order of urgency under a budget), then rosters. The
   * events are built in slices (`slicer`), all from the one snapshot of counts read first; null when the
   * tick stopped being wanted between slices (switched off or reconfigured): nothing was paid or sent.
   */
  async plan(tick: TickContext, spend: TickSpend, slicer: TickSlicer = unsliced): Promise<Outgoing[] | null> {
    const { summaries, queue, accounts } = this.parts
    const { settings, now } = tick
    const rooms = this.parts.presence.rooms()
    const costs = this.roomCosts(rooms, settings)
    const planned = summaries.plan(rooms, now, this.figuresOf(rooms, now, settings, costs))
    const outgoing: Outgoing[] = []
    const gate = queue.gate
    if (gate === null) {
      const commit = this.commitOf(tick)
      for (const candidate of planned) {
        // The usual case, a summary sent whole, made straight into its event; else priced and split.
        if (!this.addWholeSummary(outgoing, candidate, tick, commit)) {
          const item = this.price(candidate, tick)
          if (item !== null) this.addSummaryEvents(outgoing, item, tick)
        }
        if (slicer.due() && !(await slicer.pause())) return null
      }
      this.addRosters(outgoing, tick, null, spend)
      return outgoing
    }

    const priced: Priced[] = []
    for (const candidate of planned) {
      const item = this.price(candidate, tick)
      if (item !== null) priced.push(item)
      if (slicer.due() && !(await slicer.pause())) return null
    }
    // Paid in one go, after the last pause: what is paid for is always sent. The day's spend before
    // this tick, plus what this tick has paid so far.
    const spentBefore = accounts.spentToday(now)
    const allPaid = queue.pay(priced, now, spentBefore, costs.largest, spend, (item) =>
      this.addSummaryEvents(outgoing, item, tick),
    )
    if (allPaid) this.addRosters(outgoing, tick, gate, spend)
    return outgoing
  }

  private commitOf(tick: TickContext): TickCommit {
    const heartbeatMs = this.parts.channels.cacheChannels ? Infinity : tick.settings.heartbeatMs
    return { summaries: this.parts.summaries, now: tick.now, heartbeatMs, ts: tick.ts }
  }

  /**
   * Adds the summary's one event when it goes whole to a valid channel (without a budget: nothing to
   * price); false when it needs `price` (an invalid channel, or too big for one event).
   */
  private addWholeSummary(
    outgoing: Outgoing[],
    planned: PlannedSummary,
    tick: TickContext,
    commit: TickCommit,
  ): boolean {
    const { channels } = this.parts
    const room = channels.of(planned.summary.room)
    if (room.problem !== null) return false
    const data = wholeSummaryText(planned.shown, tick.ts, planned.figures)
    if (!fitsOneEvent(data, tick.eventBytes)) return false
    const { settings } = tick
    const recipients = channels.subscribersOf(room.channel, planned.summary.count)
    const event = new WholeSummaryEvent(room.channel, settings.eventName, data, recipients, planned, commit)
    if (settings.countSubscribers) event.info = 'subscription_count'
    if (planned.reason === 'first') event.first = true
    outgoing.push(event)
    return true
  }

  /** A planned summary's events and their cost; null when its channel name is invalid. */
  private price(planned: PlannedSummary, tick: TickContext): Priced | null {
    const { channels, summaries } = this.parts
    const { channel, problem } = channels.of(planned.summary.room)
    if (problem !== null) {
      // Never sent, so there is nothing to announce when it empties.
      if (planned.reason === 'emptied') summaries.forget(planned.summary.room)
      return null
    }
    const built = summaryData(planned.shown, tick.ts, tick.eventBytes, {
      figures: planned.figures,
      maxParts: channels.cacheChannels ? 1 : undefined,
    })
    const subscribers = channels.subscribersOf(channel, planned.summary.count)
    return {
      planned,
      channel,
      data: built.data,
      split: built.split,
      truncated: built.truncated,
      subscribers,
      cost: built.data.length * (subscribers + publishCost(tick.settings)),
    }
  }

  private addSummaryEvents(outgoing: Outgoing[], priced: Priced, tick: TickContext): void {
    const { summaries, accounts } = this.parts
    const { settings, now, ts } = tick
    const { planned, channel } = priced
    const name = settings.eventName
    const recipients = priced.subscribers
    const heartbeatMs = this.parts.channels.cacheChannels ? Infinity : settings.heartbeatMs
    const info = settings.countSubscribers ? 'subscription_count' : undefined
    const first = planned.reason === 'first'
    if (!priced.split) {
      // One event: no count of parts to keep.
      const event = new WholeSummaryEvent(channel, name, priced.data[0] as string, recipients, planned, {
        summaries,
        now,
        heartbeatMs,
        ts,
      })
      if (info !== undefined) event.info = info
      if (first) event.first = true
      outgoing.push(event)
      return
    }
    let waiting = priced.data.length
    const accepted = () => {
      if (--waiting > 0) return
      summaries.commit(planned, now, heartbeatMs, ts)
      if (priced.data.length > 1) accounts.splitEvents++
      if (priced.truncated) accounts.truncatedEvents++
    }
    for (const data of priced.data) {
      const event: PricedOutgoing = { channel, name, data, recipients, accepted }
      if (info !== undefined) event.info = info
      if (first) event.first = true
      outgoing.push(event)
    }
  }

  /** The user-channel template rosters go to, or why there is none. */
  rosterTemplate(settings: BroadcastSettings): { template: string | null; unavailable: string | null } {
    const friends = settings.friends
    if (!this.parts.rosters.hasGraph) return { template: null, unavailable: 'No friend graph imported' }
    const convention = this.parts.convention.convention
    const template = friends.channelTemplate ?? (convention.kind === 'template' ? convention.template : null)
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
  private addRosters(outgoing: Outgoing[], tick: TickContext, gate: BudgetGate | null, spend: TickSpend): void {
    const { rosters, channels, accounts } = this.parts
    const { settings, ts } = tick
    if (!settings.friends.enabled) return
    const { template } = this.rosterTemplate(settings)
    if (template === null) return
    const perEvent = publishCost(settings)
    const spentBefore = gate === null ? 0 : accounts.spentToday(this.parts.now())
    for (const roster of rosters.plan()) {
      const channel = fillChannelTemplate(template, roster)
      const problem =
        template.includes('{group}') && roster.group === null
          ? 'the user has no group, and the roster channel template needs one'
          : channelNameProblem(channel)
      if (problem !== null) {
        channels.refused(channel, problem)
        rosters.drop(roster)
        continue
      }
      const built = rosterData(roster.room, roster.user, roster.friends, ts, tick.eventBytes)
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
        rosters.commit(roster)
        accounts.rostersSent++
      }
      for (const data of built.data)
        outgoing.push({ channel, name: settings.friends.eventName, data, recipients: 1, accepted })
    }
  }

  /** The events the room was last sent (or would be sent now), and how far what it shows is off. */
  preview(room: string, tick: TickContext): BroadcastPreview {
    const { channels, presence, summaries, queue } = this.parts
    const { settings, now } = tick
    const { channel, problem } = channels.of(room)
    if (problem !== null) {
      return {
        room,
        events: [],
        source: 'would-send',
        problem: `Nothing is sent for this room: ${problem}`,
        shown: null,
      }
    }
    const summary = presence.room(room) ?? { room, count: 0, groups: {} }
    const figuresNow = this.figuresOf(presence.rooms(), now, settings)(summary)
    const sent = summaries.shown(room)
    const maxParts = channels.cacheChannels ? 1 : undefined
    const built =
      sent === undefined
        ? summaryData(summary, tick.ts, tick.eventBytes, { figures: figuresNow, maxParts })
        : summaryData({ room, count: sent.count, groups: sent.groups }, sent.ts, tick.eventBytes, {
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
            waiting: queue.waitingFor(room),
          }
    return {
      room,
      events: built.data.map((data) => ({
        channel,
        event: settings.eventName,
        data,
        bytes: Buffer.byteLength(data, 'utf8'),
      })),
      source: sent === undefined ? 'would-send' : 'sent',
      problem: null,
      shown,
    }
  }
}
