// The queue for the message budget (DESIGN §6): each tick's summaries are paid for from the budget's
// gate in order of urgency (a room that emptied, then first values cheapest first, then the most
// wrong values); the first one the gate can't pay for stops the rest, which wait for the next tick.
// Heartbeats go only from a surplus, and a summary no day's budget could ever pay is set aside.
import type { BroadcastSettings, BroadcastStatus } from '../../shared/broadcast.ts'
import type { RoomSummary } from '../presence/types.ts'
import { BudgetGate, DAY_MS, utcDayStart } from './budget.ts'
import type { RoomChannels } from './room-channels.ts'
import type { PlannedSummary, SummaryReason } from './summaries.ts'

/** Order of a summary in the queue for the budget: what must go out first. */
const RANK: Record<SummaryReason, number> = { emptied: 0, first: 1, jump: 2, precision: 2, changed: 3, heartbeat: 4 }

/** A summary ready to send, with what its events cost in messages. */
export interface Costed {
  planned: PlannedSummary
  cost: number
}

/** What one summary to every room costs together, and the costliest one a day's budget can pay. */
export interface RoomCosts {
  total: number
  largest: number
}

/**
 * What one summary to every room costs together (the fan-out the budget is shared over), and the
 * costliest one the budget can ever pay (the bucket is sized to hold it). Nothing to count without a budget.
 */
export function roomCosts(
  rooms: readonly RoomSummary[],
  budget: BroadcastSettings['budget'],
  channels: RoomChannels,
  perEvent: number,
): RoomCosts {
  if (budget === null) return { total: 0, largest: 0 }
  let total = 0
  let largest = 0
  for (const summary of rooms) {
    const cost = channels.subscribersOf(channels.of(summary.room).channel, summary.count) + perEvent
    total += cost
    if (cost <= budget.messagesPerDay && cost > largest) largest = cost
  }
  return { total, largest }
}

export class BudgetQueue {
  private bucket: BudgetGate | null = null
  /** Rooms whose change waited for the budget at the last tick, and why. */
  private waitingRooms = new Map<string, string>()
  /** Rooms whose summary costs more than a whole day's budget, and what it costs. */
  private readonly unaffordable = new Map<string, number>()

  /** The gate summaries and rosters are paid from; null without a budget. */
  get gate(): BudgetGate | null {
    return this.bucket
  }

  /** Rooms whose change waited at the last tick. */
  get waiting(): number {
    return this.waitingRooms.size
  }

  /** Why the room's change is waiting, or null. */
  waitingFor(room: string): string | null {
    return this.waitingRooms.get(room) ?? null
  }

  /** A new gate when the budget changed (none without a budget). */
  setBudget(budget: BroadcastSettings['budget'], before: BroadcastSettings['budget']): void {
    if (budget === null) {
      this.bucket = null
      this.waitingRooms.clear()
      this.unaffordable.clear()
      return
    }
    if (this.bucket === null || before?.messagesPerDay !== budget.messagesPerDay) {
      this.bucket = new BudgetGate(budget.messagesPerDay)
      this.unaffordable.clear()
    }
  }

  /**
   * Pays for `items` in order of urgency and hands each one paid to `send`; `spend.estimated` grows by
   * what was paid. Returns whether everything due could go (false: a change waits, and so does
   * anything less urgent, rosters included). Needs a budget.
   */
  pay<T extends Costed>(
    items: T[],
    now: number,
    spentBefore: number,
    largestRoom: number,
    spend: { estimated: number },
    send: (item: T) => void,
  ): boolean {
    const gate = this.bucket as BudgetGate
    const spentToday = () => spentBefore + spend.estimated
    items.sort(
      (a, b) =>
        RANK[a.planned.reason] - RANK[b.planned.reason] ||
        (a.planned.reason === 'first' ? a.cost - b.cost : b.planned.urgency - a.planned.urgency),
    )
    let largest = largestRoom
    // A summary in parts costs each part.
    for (const item of items) if (gate.affordable(item.cost)) largest = Math.max(largest, item.cost)
    gate.refill(now, spentToday(), largest)
    this.waitingRooms = new Map()
    let saving: string | null = null
    for (const item of items) {
      const room = item.planned.summary.room
      if (!gate.affordable(item.cost)) {
        this.unaffordable.set(room, item.cost)
        continue
      }
      this.unaffordable.delete(room)
      if (saving !== null) {
        if (item.planned.reason !== 'heartbeat') this.waitingRooms.set(room, saving)
        continue
      }
      if (item.planned.reason === 'heartbeat') {
        // Heartbeats only from a surplus: they tell nobody anything new.
        if (gate.available - item.cost < gate.capacity / 2 || !gate.canPay(item.cost, spentToday())) continue
      } else if (!gate.canPay(item.cost, spentToday())) {
        saving = `waiting for the budget (${Math.ceil(item.cost).toLocaleString('en-US')} messages, ${Math.floor(gate.available).toLocaleString('en-US')} available)`
        this.waitingRooms.set(room, saving)
        continue
      }
      gate.pay(item.cost)
      spend.estimated += item.cost
      send(item)
    }
    return saving === null
  }

  /**
   * The budget's part of the status; `steadyPerSecond` is the rate today is projected at, `pressure`
   * the figures adaptive precision dropped. Null without a budget.
   */
  status(
    budget: BroadcastSettings['budget'],
    now: number,
    spentToday: number,
    steadyPerSecond: number,
    pressure: number,
    examples: number,
  ): BroadcastStatus['budget'] {
    const gate = this.bucket
    if (budget === null || gate === null) return null
    const dayEnd = utcDayStart(now) + DAY_MS
    return {
      messagesPerDay: budget.messagesPerDay,
      plan: budget.plan,
      spentToday,
      remainingToday: Math.max(0, budget.messagesPerDay - spentToday),
      resetsAt: dayEnd,
      projectedToday: Math.min(budget.messagesPerDay, spentToday + steadyPerSecond * ((dayEnd - now) / 1000)),
      available: Math.max(0, gate.available),
      capacity: gate.capacity,
      refillPerSecond: gate.refillPerSecond,
      pressure,
      waiting: this.waitingRooms.size,
      unaffordable: {
        count: this.unaffordable.size,
        examples: [...this.unaffordable].slice(0, examples).map(([room, cost]) => ({ room, cost })),
      },
    }
  }
}
