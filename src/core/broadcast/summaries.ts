// Which rooms get a summary this tick: those whose summary changed since it was last sent, those due a
// heartbeat, and those that emptied (a final count of 0). A summary counts as sent only once the server
// accepted it, so after a failure the next tick sends the room's latest state, never a stale one.
import type { RoomSummary } from '../presence/types.ts'

export type SummaryReason = 'changed' | 'heartbeat' | 'emptied'

export interface PlannedSummary {
  summary: RoomSummary
  reason: SummaryReason
}

interface Sent {
  count: number
  groups: Record<string, number>
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

export class SummaryTracker {
  private readonly sent = new Map<string, Sent>()
  private readonly random: () => number
  private plans = 0

  constructor(random: () => number = Math.random) {
    this.random = random
  }

  /** Rooms published and not yet announced empty. */
  get size(): number {
    return this.sent.size
  }

  plan(rooms: readonly RoomSummary[], now: number): PlannedSummary[] {
    const planned: PlannedSummary[] = []
    // Rooms sent before are stamped as present rather than collected into a set: no set of every room
    // name at every tick.
    const plan = ++this.plans
    let stillPresent = 0
    for (const summary of rooms) {
      const sent = this.sent.get(summary.room)
      if (sent === undefined) {
        planned.push({ summary, reason: 'changed' })
        continue
      }
      if (sent.seenIn !== plan) stillPresent++
      sent.seenIn = plan
      if (!sameSummary(sent, summary)) planned.push({ summary, reason: 'changed' })
      else if (now >= sent.nextHeartbeatAt) planned.push({ summary, reason: 'heartbeat' })
    }
    if (stillPresent !== this.sent.size) {
      for (const [room, sent] of this.sent) {
        if (sent.seenIn !== plan) planned.push({ summary: { room, count: 0, groups: {} }, reason: 'emptied' })
      }
    }
    return planned
  }

  /** The server accepted this summary. */
  commit(planned: PlannedSummary, now: number, heartbeatMs: number): void {
    const { summary } = planned
    if (planned.reason === 'emptied') {
      this.sent.delete(summary.room)
      return
    }
    const sent = this.sent.get(summary.room)
    if (sent === undefined) {
      // A room's first heartbeat comes after a random share of the period, so rooms that appeared
      // together don't all fall due on the same tick for ever after.
      const wait = heartbeatMs * (0.5 + this.random() * 0.5)
      this.sent.set(summary.room, {
        count: summary.count,
        groups: summary.groups,
        nextHeartbeatAt: now + wait,
        seenIn: this.plans,
      })
      return
    }
    // Updated in place: no new record per room and tick.
    sent.count = summary.count
    sent.groups = summary.groups
    sent.nextHeartbeatAt = now + heartbeatMs
  }

  /** Makes every room due at the next tick (after switching on again, or a new channel or event name). */
  resendAll(): void {
    for (const sent of this.sent.values()) sent.nextHeartbeatAt = 0
  }

  /** Forgets a room without announcing it (its channel name is invalid: nothing was ever sent). */
  forget(room: string): void {
    this.sent.delete(room)
  }
}
