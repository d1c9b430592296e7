// Which rooms get a summary this tick, and what participants see. A room is published when the value
// participants see would change at the precision it is published at (exact without a budget): its
// first value, a change, a large jump, a change of precision, a heartbeat, or a final 0 when it empties.
// A summary counts as sent only once the server accepted it, so after a failure the next tick sends the
// room's latest state, never a stale one.
import { roundingError, roundToFigures } from '../../shared/precision.ts'
import type { RoomSummary } from '../presence/types.ts'

/**
 * first: never published. emptied: a final 0. jump: more than JUMP_SHARE off. precision: the room's
 * figures changed along with its value. changed: the value shown changed. heartbeat: unchanged, due again.
 */
export type SummaryReason = 'first' | 'emptied' | 'jump' | 'precision' | 'changed' | 'heartbeat'

/** A published count this far off the true one (a share of it) goes out whatever its precision. */
export const JUMP_SHARE = 0.1

export interface PlannedSummary {
  /** The true summary now. */
  summary: RoomSummary
  /** What is sent: the summary rounded at `figures`, or the summary itself when exact. */
  shown: RoomSummary
  /** Significant figures of `shown`, or null when exact. */
  figures: number | null
  reason: SummaryReason
  /** How far off participants are, in errors the precision allows: the most wrong rooms go first. */
  urgency: number
}

/** What a room's participants were last sent (accepted by the server). */
export interface ShownState {
  count: number
  groups: Record<string, number>
  figures: number | null
  /** The true count when it was published. */
  trueCount: number
  publishedAt: number
  /** The summary's `ts`. */
  ts: number
  nextHeartbeatAt: number
  /** The last plan that listed the room present. */
  seenIn: number
}

export function sameSummary(sent: { count: number; groups: Record<string, number> }, now: RoomSummary): boolean {
  if (sent.count !== now.count) return false
  const keys = Object.keys(now.groups)
  if (keys.length !== Object.keys(sent.groups).length) return false
  for (const key of keys) if (sent.groups[key] !== now.groups[key]) return false
  return true
}

/** The summary as published at `figures` significant figures (groups rounded the same way). */
export function roundSummary(summary: RoomSummary, figures: number | null): RoomSummary {
  if (figures === null) return summary
  const groups: Record<string, number> = {}
  for (const [group, count] of Object.entries(summary.groups)) groups[group] = roundToFigures(count, figures)
  return { room: summary.room, count: roundToFigures(summary.count, figures), groups }
}

/** How many allowed errors the shown value is off by (at least 1 when only a group differs). */
function urgencyOf(sent: ShownState, summary: RoomSummary, figures: number | null): number {
  const off = Math.abs(summary.count - sent.count)
  return Math.max(1, off / Math.max(0.5, roundingError(summary.count, figures)))
}

export class SummaryTracker {
  private readonly sent = new Map<string, ShownState>()
  private readonly random: () => number
  private plans = 0

  constructor(random: () => number = Math.random) {
    this.random = random
  }

  /** Rooms published and not yet announced empty. */
  get size(): number {
    return this.sent.size
  }

  /** What a room's participants were last sent, or undefined. */
  shown(room: string): ShownState | undefined {
    return this.sent.get(room)
  }

  /**
   * The rooms to publish now. `figuresOf` gives each room's precision (null: exact); without a budget
   * it is always null, and every change goes out.
   */
  plan(
    rooms: readonly RoomSummary[],
    now: number,
    figuresOf: (summary: RoomSummary) => number | null = () => null,
  ): PlannedSummary[] {
    const planned: PlannedSummary[] = []
    // Rooms sent before are stamped as present rather than collected into a set: no set of every room
    // name at every tick.
    const plan = ++this.plans
    let stillPresent = 0
    for (const summary of rooms) {
      const figures = figuresOf(summary)
      const sent = this.sent.get(summary.room)
      if (sent === undefined) {
        planned.push({ summary, shown: roundSummary(summary, figures), figures, reason: 'first', urgency: Infinity })
        continue
      }
      if (sent.seenIn !== plan) stillPresent++
      sent.seenIn = plan
      const shown = roundSummary(summary, figures)
      if (!sameSummary(sent, shown)) {
        const reason: SummaryReason =
          Math.abs(summary.count - sent.count) > JUMP_SHARE * Math.max(1, sent.count)
            ? 'jump'
            : figures !== sent.figures
              ? 'precision'
              : 'changed'
        planned.push({ summary, shown, figures, reason, urgency: urgencyOf(sent, summary, figures) })
      } else if (now >= sent.nextHeartbeatAt) {
        planned.push({ summary, shown, figures, reason: 'heartbeat', urgency: 0 })
      }
    }
    if (stillPresent !== this.sent.size) {
      for (const [room, sent] of this.sent) {
        if (sent.seenIn !== plan) {
          const empty = { room, count: 0, groups: {} }
          planned.push({ summary: empty, shown: empty, figures: null, reason: 'emptied', urgency: Infinity })
        }
      }
    }
    return planned
  }

  /** The server accepted this summary; `heartbeatMs` Infinity for none (cache channels). */
  commit(planned: PlannedSummary, now: number, heartbeatMs: number, ts: number): void {
    const { shown } = planned
    if (planned.reason === 'emptied') {
      this.sent.delete(shown.room)
      return
    }
    const sent = this.sent.get(shown.room)
    if (sent === undefined) {
      // A room's first heartbeat comes after a random share of the period, so rooms that appeared
      // together don't all fall due on the same tick for ever after.
      const wait = heartbeatMs * (0.5 + this.random() * 0.5)
      this.sent.set(shown.room, {
        count: shown.count,
        groups: shown.groups,
        figures: planned.figures,
        trueCount: planned.summary.count,
        publishedAt: now,
        ts,
        nextHeartbeatAt: now + wait,
        seenIn: this.plans,
      })
      return
    }
    // Updated in place: no new record per room and tick.
    sent.count = shown.count
    sent.groups = shown.groups
    sent.figures = planned.figures
    sent.trueCount = planned.summary.count
    sent.publishedAt = now
    sent.ts = ts
    sent.nextHeartbeatAt = now + heartbeatMs
  }

  /** Makes every room due a heartbeat at the next tick (after switching on again). */
  resendAll(): void {
    for (const sent of this.sent.values()) sent.nextHeartbeatAt = 0
  }

  /** Forgets every room: all are first values again (new channel or event names). */
  clear(): void {
    this.sent.clear()
  }

  /** Forgets a room without announcing it (its channel name is invalid: nothing was ever sent). */
  forget(room: string): void {
    this.sent.delete(room)
  }
}
