// The dry run (DESIGN §6): while broadcasting is off, what the current settings would send is planned
// at every interval on the live crowd and counted, never sent, so the console can say what switching
// on would cost a day. It keeps its own idea of what each room was shown and its own budget gate.
import type { BroadcastSettings } from '../../shared/broadcast.ts'
import type { RoomSummary } from '../presence/types.ts'
import { MessageMeter } from './accounting.ts'
import { BudgetGate, utcDayStart } from './budget.ts'
import type { RoomCosts } from './budget-queue.ts'
import type { RoomChannels } from './room-channels.ts'
import { SummaryTracker } from './summaries.ts'
import type { Timers } from './timers.ts'

/** How one dry tick prices and shows what it would send. */
export interface DryTick {
  rooms: readonly RoomSummary[]
  costs: RoomCosts
  figures: (summary: RoomSummary) => number | null
  channels: RoomChannels
  /** Messages to publish one event. */
  perEvent: number
  heartbeatMs: number
  intervalMs: number
  /** The `ts` a summary would carry. */
  ts: number
}

export class DryRun {
  private readonly timers: Timers
  private readonly summaries: SummaryTracker
  private readonly meter: MessageMeter
  private gate: BudgetGate | null = null
  /** What the dry run's own day has "spent" under the budget. */
  private spent = 0
  private timer: unknown = null

  constructor(random: () => number, now: number, timers: Timers) {
    this.timers = timers
    this.summaries = new SummaryTracker(random)
    this.meter = new MessageMeter(now)
  }

  /** Whether a dry tick is due (scheduled and not stopped). */
  get scheduled(): boolean {
    return this.timer !== null
  }

  /** Calls `tick` once after `ms`, unless stopped first. */
  after(ms: number, tick: () => void): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = null
      tick()
    }, ms)
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = null
  }

  /** New channels: every room's value would be a first value there. */
  forgetShown(): void {
    this.summaries.clear()
  }

  /** A gate of its own when the budget changed (none without a budget). */
  setBudget(budget: BroadcastSettings['budget'], before: BroadcastSettings['budget']): void {
    if (budget === null) this.gate = null
    else if (this.gate === null || before?.messagesPerDay !== budget.messagesPerDay)
      this.gate = new BudgetGate(budget.messagesPerDay)
  }

  /** What a tick would send now, counted but never sent. */
  tick(now: number, input: DryTick): void {
    const { channels, perEvent, heartbeatMs } = input
    const planned = this.summaries.plan(input.rooms, now, input.figures)
    const gate = this.gate
    if (utcDayStart(now) !== utcDayStart(now - input.intervalMs)) this.spent = 0
    gate?.refill(now, this.spent, input.costs.largest)
    let steady = 0
    for (const candidate of planned) {
      const { channel, problem } = channels.of(candidate.summary.room)
      if (problem !== null) continue
      const cost = channels.subscribersOf(channel, candidate.summary.count) + perEvent
      if (gate !== null) {
        const surplusOnly = candidate.reason === 'heartbeat'
        if (!gate.canPay(cost, this.spent) || (surplusOnly && gate.available - cost < gate.capacity / 2)) continue
        gate.pay(cost)
        this.spent += cost
      }
      this.summaries.commit(candidate, now, heartbeatMs, input.ts)
      if (candidate.reason !== 'first') steady += cost
    }
    this.meter.add(steady, now)
  }

  /** What it would send a second (first values left out), over the last minute. */
  perSecond(now: number): number {
    return this.meter.perSecond(now)
  }
}
