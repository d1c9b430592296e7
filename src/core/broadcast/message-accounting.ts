// What the broadcaster's messages cost, as Pusher bills them: each event accepted is one message to
// publish it (two when it asks for the subscription count) plus one per delivery. Kept per UTC
// quarter-hour in the spend ledger (today's totals survive restarts), as rates over the last minute,
// and beside it what vanilla presence would have cost for the same joins and leaves.
import type { BroadcastStatus } from '../../shared/broadcast.ts'
import { MessageMeter } from './accounting.ts'
import type { BudgetGate } from './budget.ts'
import type { Outgoing } from './delivery.ts'
import type { RoomChannels } from './room-channels.ts'
import type { SpendLedger } from './spend-ledger.ts'

/** Without a budget, the spend is written at most this often (with one, before every send). */
const FLUSH_EVERY_MS = 10_000

/** An event with what it is for: a first value is sent once, so it is left out of the daily projection. */
export interface PricedOutgoing extends Outgoing {
  first?: true
}

/** What one tick sent and what it was expected to cost, for settling the spend afterwards. */
export interface TickSpend {
  at: number
  estimated: number
  accepted: number
  actual: number
}

/** The figures of the status that come from the accounts. */
export type AccountedStatus = Pick<
  BroadcastStatus,
  | 'messagesPerSecond'
  | 'deliveriesPerSecond'
  | 'eventsPerSecond'
  | 'messagesToday'
  | 'eventsToday'
  | 'requestsToday'
  | 'requestsPerSecond'
  | 'eventsPerRequest'
  | 'spend'
  | 'vanillaPresence'
  | 'splitEvents'
  | 'truncatedEvents'
>

export class MessageAccounting {
  private readonly ledger: SpendLedger
  /** Rates over the last minute: billed messages, deliveries, events, requests. */
  private readonly messages: MessageMeter
  private readonly deliveries: MessageMeter
  private readonly events: MessageMeter
  private readonly requests: MessageMeter
  /** Billed messages less first values (sent once): the rate a day is projected from. */
  private readonly steady: MessageMeter
  private readonly vanilla: MessageMeter
  private vanillaSeen = false
  private lastFlushAt = 0
  /** Messages counted since connecting (never reset), to compare with the emulator's count. */
  private session = 0
  rostersSent = 0
  splitEvents = 0
  truncatedEvents = 0

  constructor(ledger: SpendLedger, now: number) {
    this.ledger = ledger
    this.messages = new MessageMeter(now)
    this.deliveries = new MessageMeter(now)
    this.events = new MessageMeter(now)
    this.requests = new MessageMeter(now)
    this.steady = new MessageMeter(now)
    this.vanilla = new MessageMeter(now)
  }

  /** Messages counted since connecting. */
  get sessionMessages(): number {
    return this.session
  }

  /** Billed messages of Pusher's day (UTC) holding `at`, restarts included. */
  spentToday(at: number): number {
    return this.ledger.today(at, 'messages')
  }

  /** The steady rate (first values left out), per second over the last minute. */
  steadyPerSecond(now: number): number {
    return this.steady.perSecond(now)
  }

  /** A sync seen as it happened: vanilla presence's cost, and cached summaries handed to newcomers. */
  observed(now: number, vanilla: number, lateJoiners: number): void {
    this.vanilla.add(vanilla, now)
    this.ledger.add(now, { vanilla, deliveries: lateJoiners, messages: lateJoiners })
    if (lateJoiners > 0) this.count(now, { messages: lateJoiners, deliveries: lateJoiners, steady: lateJoiners })
  }

  /** A sync was seen as it happened (not the first, nor the first after a gap): vanilla's rate is measured from here. */
  vanillaKnown(): void {
    this.vanillaSeen = true
  }

  /** What a tick under a budget is about to send, counted and written down before it goes. */
  reserve(now: number, estimated: number): void {
    // A crash mid-tick can't hide spend from the next start.
    this.ledger.add(now, { messages: estimated })
    this.ledger.flush(now)
    this.lastFlushAt = now
  }

  /** After each accepted request: the events' deliveries, as reported or estimated. */
  accepted(
    at: number,
    batch: readonly Outgoing[],
    reported: ReadonlyArray<number | null>,
    spend: TickSpend,
    perEvent: number,
    channels: RoomChannels,
  ): void {
    let deliveries = 0
    let firsts = 0
    batch.forEach((event, index) => {
      const count = reported[index] ?? null
      if (count !== null) channels.report(event.channel, count)
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
  settle(now: number, spend: TickSpend, gate: BudgetGate | null): void {
    const correction = spend.actual - spend.accepted
    const unsent = spend.estimated - spend.accepted
    if (gate !== null) {
      // Reserved before sending: give back what didn't go, add what cost more than estimated.
      const change = correction - unsent
      if (change !== 0) this.ledger.add(spend.at, { messages: change })
      if (unsent > 0) gate.refund(unsent)
      if (correction > 0) gate.pay(correction)
      else if (correction < 0) gate.refund(-correction)
    } else if (spend.actual > 0) {
      this.ledger.add(spend.at, { messages: spend.actual })
    }
    if (gate !== null ? spend.estimated > 0 : now - this.lastFlushAt >= FLUSH_EVERY_MS) {
      this.ledger.flush(now)
      this.lastFlushAt = now
    }
  }

  /** Writes what is not written yet (closing). */
  flush(now: number): void {
    this.ledger.flush(now)
  }

  status(now: number): AccountedStatus {
    const requestRate = this.requests.perSecond(now)
    return {
      messagesPerSecond: this.messages.perSecond(now),
      deliveriesPerSecond: this.deliveries.perSecond(now),
      eventsPerSecond: this.events.perSecond(now),
      messagesToday: this.ledger.today(now, 'messages'),
      eventsToday: this.ledger.today(now, 'events'),
      requestsToday: this.ledger.today(now, 'requests'),
      requestsPerSecond: requestRate,
      eventsPerRequest: requestRate > 0 ? this.events.perSecond(now) / requestRate : 0,
      spend: this.ledger.recent(now),
      vanillaPresence: {
        today: this.ledger.today(now, 'vanilla'),
        projectedPerDay: this.vanillaSeen ? this.vanilla.projectedPerDay(now) : null,
      },
      splitEvents: this.splitEvents,
      truncatedEvents: this.truncatedEvents,
    }
  }

  private count(at: number, amounts: { messages: number; deliveries: number; events?: number; steady: number }): void {
    this.messages.add(amounts.messages, at)
    this.deliveries.add(amounts.deliveries, at)
    if (amounts.events) this.events.add(amounts.events, at)
    this.steady.add(amounts.steady, at)
    this.session += amounts.messages
  }
}
