// Adaptive precision: how many significant figures each room is published at under a budget. A room's
// displayed value should change about as often as its share of the budget lets it be published: a
// random walk of λ joins and leaves a second leaves a rounding cell of width h about 4λ/h² times a
// second, and a steady drift v about |v|/h times, so the step is the smallest power of ten with
// h ≥ max(2·√(λ/R), |v|/R) for R publishes a second. Small rooms stay exact; figures drop further
// ("pressure") when spending still runs ahead of the budget.
import { digitsOf, MIN_FIGURES, SMALL_ROOM } from '../../shared/precision.ts'

/** Seconds of observation the early rate estimate is scaled for at least. */
const MIN_SEEN_S = 10

/** Joins and leaves a second, and the net change a second, of one room. */
export interface Churn {
  events: number
  drift: number
}

interface RoomChurn {
  events: number
  drift: number
  at: number
  since: number
}

/** Per-room rates of joins and leaves, exponentially weighted over `windowMs`. */
export class ChurnTracker {
  private readonly rooms = new Map<string, RoomChurn>()
  private readonly tau: number

  constructor(windowMs = 60_000) {
    this.tau = windowMs / 1000
  }

  observe(room: string, at: number, joins: number, leaves: number): void {
    let churn = this.rooms.get(room)
    if (churn === undefined) {
      churn = { events: 0, drift: 0, at, since: at }
      this.rooms.set(room, churn)
    }
    const decay = Math.exp(-Math.max(0, at - churn.at) / 1000 / this.tau)
    churn.events = churn.events * decay + (joins + leaves) / this.tau
    churn.drift = churn.drift * decay + (joins - leaves) / this.tau
    churn.at = at
  }

  /** The room's rates now (0 for a room never seen changing). */
  rate(room: string, now: number): Churn {
    const churn = this.rooms.get(room)
    if (churn === undefined) return { events: 0, drift: 0 }
    const decay = Math.exp(-Math.max(0, now - churn.at) / 1000 / this.tau)
    // Early on the average has seen less than its window: scale it up rather than read a quiet start.
    // (From a few seconds on: the first second's one or two changes say little about a room's rate.)
    const seen = 1 - Math.exp(-Math.max(MIN_SEEN_S, (now - churn.since) / 1000) / this.tau)
    return { events: (churn.events * decay) / seen, drift: (churn.drift * decay) / seen }
  }

  forget(room: string): void {
    this.rooms.delete(room)
  }
}

/** The power of ten a room's displayed value should move in, for `publishesPerSecond` allowed. */
export function neededStep(churn: Churn, publishesPerSecond: number): number {
  if (!(publishesPerSecond > 0)) return Number.POSITIVE_INFINITY
  // A room that changes no more often than it may be published stays exact (the random-walk estimate
  // holds for wide cells; a cell of 1 is left at every change, not at four times their rate).
  const walk = churn.events <= publishesPerSecond ? 1 : 2 * Math.sqrt(churn.events / publishesPerSecond)
  return Math.max(walk, Math.abs(churn.drift) / publishesPerSecond)
}

function exponentOf(step: number): number {
  return step <= 1 ? 0 : Math.ceil(Math.log10(step) - 1e-9)
}

/**
 * Each room's step, with hysteresis so a room's precision doesn't flap as its rates wobble: it widens
 * as soon as it must, and narrows only once half the next smaller step would do.
 */
export class PrecisionPolicy {
  private readonly exponents = new Map<string, number>()

  /**
   * Significant figures for `count` in `room`, or null for exact. `pressure` drops further figures;
   * never fewer than MIN_FIGURES, and rooms under SMALL_ROOM are always exact.
   */
  figures(room: string, count: number, churn: Churn, publishesPerSecond: number, pressure: number): number | null {
    const digits = digitsOf(count)
    const step = neededStep(churn, publishesPerSecond)
    const wanted = Number.isFinite(step) ? exponentOf(step) : digits
    let exponent = this.exponents.get(room) ?? 0
    // Back to exact as soon as the room changes no more often than it may be published.
    if (wanted > exponent || wanted === 0 || step < 0.5 * 10 ** (exponent - 1)) exponent = wanted
    this.exponents.set(room, exponent)
    if (count < SMALL_ROOM) return null
    const figures = Math.max(MIN_FIGURES, Math.min(digits, digits - exponent - pressure))
    return figures >= digits ? null : figures
  }

  forget(room: string): void {
    this.exponents.delete(room)
  }
}
