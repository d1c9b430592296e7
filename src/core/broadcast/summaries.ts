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

  constructor(random: () => number = Math.random) {
    this.random = random
  }

  /** Rooms published and not yet announced empty. */
  get size(): number {
    return this.sent.size
  }

  plan(rooms: readonly RoomSummary[], now: number): PlannedSummary[] {
    const planned: PlannedSummary[] = []
    const present = new Set<string>()
    for (const summary of rooms) {
      present.add(summary.room)
      const sent = this.sent.get(summary.room)
      if (sent === undefined || !sameSummary(sent, summary)) planned.push({ summary, reason: 'changed' })
      else if (now >= sent.nextHeartbeatAt) planned.push({ summary, reason: 'heartbeat' })
    }
    if (present.size !== this.sent.size || rooms.length === 0) {
      for (const room of this.sent.keys()) {
        if (!present.has(room)) planned.push({ summary: { room, count: 0, groups: {} }, reason: 'emptied' })
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
    const first = !this.sent.has(summary.room)
    // A room's first heartbeat comes after a random share of the period, so rooms that appeared
    // together don't all fall due on the same tick for ever after.
    const wait = first ? heartbeatMs * (0.5 + this.random() * 0.5) : heartbeatMs
    this.sent.set(summary.room, { count: summary.count, groups: summary.groups, nextHeartbeatAt: now + wait })
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
