// Adaptive precision (DESIGN §6): under a budget, a room shows as many significant figures as its
// churn and its share of the budget allow, and pressure drops a figure more from every room while
// changes wait for the budget and the bucket runs low, giving it back once the bucket fills again.
import type { BroadcastSettings } from '../../shared/broadcast.ts'
import type { RoomSummary } from '../presence/types.ts'
import type { BudgetGate } from './budget.ts'
import { ChurnTracker, PrecisionPolicy } from './precision-policy.ts'

/** Most figures pressure can drop, and how long it waits between steps up and down. */
const MAX_PRESSURE = 6
const PRESSURE_UP_MS = 30_000
const PRESSURE_DOWN_MS = 120_000

export class AdaptivePrecision {
  private readonly churn = new ChurnTracker()
  private readonly policy = new PrecisionPolicy()
  private level = 0
  private changedAt = 0

  /** Figures dropped from every room because the budget runs short (0: none). */
  get pressure(): number {
    return this.level
  }

  /** Joins and leaves seen in a room at a sync. */
  churned(room: string, at: number, joins: number, leaves: number): void {
    this.churn.observe(room, at, joins, leaves)
  }

  /** A room emptied: nothing of it is kept. */
  emptied(room: string): void {
    this.churn.forget(room)
    this.policy.forget(room)
  }

  /** No budget any more: no pressure either. */
  release(): void {
    this.level = 0
  }

  /**
   * Each room's significant figures under the budget (null: exact). A room's share of the budget is the
   * same number of publishes a second for every room (the budget's pace over the total fan-out
   * `fanOut`, in messages), at most one per interval.
   */
  figuresOf(
    budget: BroadcastSettings['budget'],
    intervalMs: number,
    fanOut: number,
    now: number,
  ): (summary: RoomSummary) => number | null {
    if (budget === null) return () => null
    const pace = budget.messagesPerDay / 86_400
    const publishesPerSecond = Math.min(1000 / intervalMs, fanOut > 0 ? pace / fanOut : Infinity)
    return (summary) =>
      this.policy.figures(
        summary.room,
        summary.count,
        this.churn.rate(summary.room, now),
        publishesPerSecond,
        this.level,
      )
  }

  /** After a tick: a figure less while changes wait and the bucket runs low; one back when it fills. */
  adjust(now: number, gate: BudgetGate | null, waiting: number): void {
    if (gate === null) return
    const low = gate.available < gate.capacity * 0.2
    const high = gate.available > gate.capacity * 0.8
    if (waiting > 0 && low && this.level < MAX_PRESSURE && now - this.changedAt >= PRESSURE_UP_MS) {
      this.level++
      this.changedAt = now
    } else if (high && waiting === 0 && this.level > 0 && now - this.changedAt >= PRESSURE_DOWN_MS) {
      this.level--
      this.changedAt = now
    }
  }
}
