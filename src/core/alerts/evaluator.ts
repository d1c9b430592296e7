import type { AlertRule } from '../../shared/alerts.ts'
import { MinMaxWindow } from './min-max-window.ts'

/**
 * Alert rules evaluated against what the engine sees: room counts from every sync, the sync's state
 * and the broadcaster's. Pure (no timers, no storage): the alert monitor feeds it and records what it
 * answers. Each answer is a list of changes: a rule firing for a subject (a room, or the connection),
 * or an active one resolving.
 *
 * Hysteresis, so an alert doesn't flap on a count hovering at its threshold: a count rule resolves only
 * once the count is back past the threshold by 5 % of it (at least one person), a change rule once
 * the change is under 80 % of its threshold, and a broadcaster alert once it has sent without failing
 * for 10 s.
 */

export interface RoomCount {
  room: string
  count: number
}

export interface SyncView {
  state: 'starting' | 'ok' | 'failing' | 'stopped'
  lastSuccessAt: number | null
  /** When the current run of failures began. */
  failingSince: number | null
  /** The failure in words, while failing. */
  error: string | null
}

export interface BroadcastView {
  state: 'off' | 'starting' | 'on' | 'failing' | 'blocked'
  error: string | null
}

export type AlertChange =
  | { type: 'fire'; rule: AlertRule; room: string | null; at: number; message: string }
  | { type: 'resolve'; ruleId: string; room: string | null; at: number; message: string }

/** An open firing the history holds from before this evaluator started. */
export interface OpenAlert {
  ruleId: string
  room: string | null
}

/** A broadcaster alert resolves only after this long without failing. */
export const BROADCAST_RESOLVE_HOLD_MS = 10_000
/** "Any room" rules fire for at most this many rooms at once, so one crowd event is not a flood. */
export const MAX_ACTIVE_PER_RULE = 50
/** Change windows of rooms gone quiet are forgotten every this many syncs. */
const PRUNE_EVERY_TICKS = 100
/** A change alert resolves once the change is under this share of its threshold. */
const CHANGE_RESOLVE_SHARE = 0.8

const RESUMED = 'No longer true when Headcount resumed watching'

interface Active {
  ruleId: string
  room: string | null
  /** Taken over from the history at start: its first evaluation decides whether it is still true. */
  adopted: boolean
}

const keyOf = (ruleId: string, room: string | null) => `${ruleId}\u0000${room ?? ''}`

/** The margin a count must move back past its threshold before the alert resolves. */
export function countBand(threshold: number): number {
  return Math.max(1, Math.ceil(threshold * 0.05))
}

function people(count: number): string {
  return count === 0 ? 'no one' : `${count.toLocaleString('en-US')} ${count === 1 ? 'person' : 'people'}`
}

function percent(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} %`
}

type RoomRule = Extract<AlertRule, { kind: 'room-above' | 'room-below' | 'room-change' }>

export class AlertEvaluator {
  private rules: AlertRule[] = []
  /** Rooms with people now, by name. */
  private readonly counts = new Map<string, number>()
  private readonly active = new Map<string, Active>()
  /** Change windows per rule, per room. */
  private readonly windows = new Map<string, Map<string, MinMaxWindow>>()
  /** False until the first sync: the rooms it lists had no "before". */
  private baseline = false
  private ticks = 0
  private sync: SyncView | null = null
  private broadcast: BroadcastView | null = null
  private broadcastFailingSince: number | null = null
  private broadcastFineSince: number | null = null

  constructor(rules: readonly AlertRule[] = []) {
    this.rules = rules.filter((rule) => rule.enabled)
  }

  /** Subjects being alerted about now. */
  get activeAlerts(): OpenAlert[] {
    return [...this.active.values()].map(({ ruleId, room }) => ({ ruleId, room }))
  }

  /**
   * Takes over firings the history left open (a stop or a crash): they stay open, without firing
   * again, if still true at their first evaluation, else they resolve then. Those of rules that are
   * gone or switched off resolve at once.
   */
  adopt(open: readonly OpenAlert[], at: number): AlertChange[] {
    const changes: AlertChange[] = []
    for (const alert of open) {
      const key = keyOf(alert.ruleId, alert.room)
      if (this.active.has(key)) continue
      if (!this.rules.some((rule) => rule.id === alert.ruleId)) {
        changes.push({ type: 'resolve', ruleId: alert.ruleId, room: alert.room, at, message: 'The rule was removed' })
        continue
      }
      this.active.set(key, { ruleId: alert.ruleId, room: alert.room, adopted: true })
    }
    return changes
  }

  /**
   * New rules: firings of rules removed, switched off or changed resolve, then every rule is evaluated
   * against what is known now (a changed rule fires again at once if it is true).
   */
  setRules(rules: readonly AlertRule[], at: number): AlertChange[] {
    const next = rules.filter((rule) => rule.enabled)
    const byId = new Map(next.map((rule) => [rule.id, rule]))
    const before = new Map(this.rules.map((rule) => [rule.id, rule]))
    const changes: AlertChange[] = []
    for (const [key, alert] of this.active) {
      const rule = byId.get(alert.ruleId)
      const old = before.get(alert.ruleId)
      if (rule && old && JSON.stringify(rule) === JSON.stringify(old)) continue
      this.active.delete(key)
      const message = !rule
        ? rules.some((candidate) => candidate.id === alert.ruleId)
          ? 'The rule was switched off'
          : 'The rule was removed'
        : 'The rule was changed'
      changes.push({ type: 'resolve', ruleId: alert.ruleId, room: alert.room, at, message })
    }
    for (const id of this.windows.keys()) {
      if (JSON.stringify(byId.get(id)) !== JSON.stringify(before.get(id))) this.windows.delete(id)
    }
    this.rules = next
    if (this.baseline) {
      for (const rule of next) if (isRoomRule(rule)) changes.push(...this.evaluateRoomRule(rule, at, null))
    }
    changes.push(...this.check(at))
    return changes
  }

  /** A sync's result: rooms whose count changed (with their new count) and rooms that emptied. */
  observeRooms(at: number, changed: readonly RoomCount[], removed: readonly string[]): AlertChange[] {
    const first = !this.baseline
    const touched = new Set<string>()
    for (const { room, count } of changed) {
      const before = this.counts.get(room) ?? (first ? null : 0)
      if (count > 0) this.counts.set(room, count)
      else this.counts.delete(room)
      this.recordChange(room, at, before, count)
      touched.add(room)
    }
    for (const room of removed) {
      const before = this.counts.get(room)
      if (before === undefined) continue
      this.counts.delete(room)
      this.recordChange(room, at, before, 0)
      touched.add(room)
    }
    this.baseline = true
    if (++this.ticks % PRUNE_EVERY_TICKS === 0) this.pruneWindows(at)
    const changes: AlertChange[] = []
    for (const rule of this.rules) if (isRoomRule(rule)) changes.push(...this.evaluateRoomRule(rule, at, touched))
    return changes
  }

  /** The sync's state changed; stale rules are decided by `check`. */
  observeSync(sync: SyncView, at: number): AlertChange[] {
    this.sync = sync
    return this.check(at)
  }

  /** The broadcaster's state changed (null: no broadcaster). */
  observeBroadcast(broadcast: BroadcastView | null, at: number): AlertChange[] {
    this.broadcast = broadcast
    if (broadcast?.state === 'failing') {
      this.broadcastFailingSince ??= at
      this.broadcastFineSince = null
    } else {
      this.broadcastFailingSince = null
      this.broadcastFineSince ??= at
    }
    return this.check(at)
  }

  /** The rules that depend on time passing (stale sync, failing broadcaster): call every second or so. */
  check(at: number): AlertChange[] {
    const changes: AlertChange[] = []
    for (const rule of this.rules) {
      if (rule.kind === 'sync-stale') changes.push(...this.evaluateStale(rule, at))
      else if (rule.kind === 'broadcast-failing') changes.push(...this.evaluateBroadcast(rule, at))
    }
    return changes
  }

  // ------------------------------------------------------------------ rooms

  /** Forgets the change windows of rooms that have emptied and have not changed for a whole window. */
  private pruneWindows(at: number): void {
    for (const rooms of this.windows.values()) {
      for (const [room, window] of rooms) if (!this.counts.has(room) && window.isIdle(at)) rooms.delete(room)
    }
  }

  private recordChange(room: string, at: number, before: number | null, after: number): void {
    for (const rule of this.rules) {
      if (rule.kind !== 'room-change' || (rule.room !== null && rule.room !== room)) continue
      let rooms = this.windows.get(rule.id)
      if (!rooms) this.windows.set(rule.id, (rooms = new Map()))
      let window = rooms.get(room)
      if (!window) rooms.set(room, (window = new MinMaxWindow(rule.minutes * 60_000)))
      // The value it changed from held until now: it belongs to the window as much as the new one.
      if (before !== null) window.record(at, before)
      window.record(at, after)
    }
  }

  /** Evaluates a room rule for the rooms that changed (`touched`; null: every room) and its active rooms. */
  private evaluateRoomRule(rule: RoomRule, at: number, touched: ReadonlySet<string> | null): AlertChange[] {
    const changes: AlertChange[] = []
    const rooms = new Set<string>()
    if (rule.room !== null) rooms.add(rule.room)
    else {
      for (const room of touched ?? this.counts.keys()) rooms.add(room)
      for (const alert of this.active.values())
        if (alert.ruleId === rule.id && alert.room !== null) rooms.add(alert.room)
    }
    let activeForRule = 0
    if (rule.room === null) for (const alert of this.active.values()) if (alert.ruleId === rule.id) activeForRule++
    for (const room of rooms) {
      const change = this.evaluateRoom(rule, room, at, activeForRule < MAX_ACTIVE_PER_RULE || rule.room !== null)
      if (!change) continue
      if (change.type === 'fire') activeForRule++
      else activeForRule--
      changes.push(change)
    }
    return changes
  }

  private evaluateRoom(rule: RoomRule, room: string, at: number, mayFire: boolean): AlertChange | null {
    const key = keyOf(rule.id, room)
    const active = this.active.get(key)
    const count = this.counts.get(room) ?? 0
    const verdict = this.roomVerdict(rule, room, count, at)
    if (active) {
      if (verdict.holds) {
        active.adopted = false
        return null
      }
      this.active.delete(key)
      const message = active.adopted ? `${RESUMED}: ${verdict.now}` : verdict.clear
      return { type: 'resolve', ruleId: rule.id, room, at, message }
    }
    if (!verdict.fires || !mayFire) return null
    this.active.set(key, { ruleId: rule.id, room, adopted: false })
    return { type: 'fire', rule, room, at, message: verdict.fired }
  }

  /**
   * Whether a room rule fires now (`fires`), whether an active one still holds (`holds`, with the
   * hysteresis margin), and the words for each case.
   */
  private roomVerdict(
    rule: RoomRule,
    room: string,
    count: number,
    at: number,
  ): { fires: boolean; holds: boolean; fired: string; clear: string; now: string } {
    const now = `${room} has ${people(count)}`
    switch (rule.kind) {
      case 'room-above': {
        const clearAt = Math.max(0, rule.people - countBand(rule.people))
        return {
          fires: count > rule.people,
          holds: count > clearAt,
          fired: `${now}, above ${rule.people.toLocaleString('en-US')}`,
          clear: count === 0 ? `${room} has emptied` : `${room} is down to ${people(count)}`,
          now,
        }
      }
      case 'room-below': {
        // "Any room" means rooms with people in them: a room that empties is gone, not below.
        const present = rule.room !== null || count > 0
        const clearAt = rule.people + countBand(rule.people)
        return {
          fires: present && count < rule.people,
          holds: present && count < clearAt,
          fired: `${now}, below ${rule.people.toLocaleString('en-US')}`,
          clear: present ? `${room} is back to ${people(count)}` : `${room} has emptied`,
          now,
        }
      }
      case 'room-change': {
        const window = this.windows.get(rule.id)?.get(room)
        const { low, high } = window ? window.extremes(at, count) : { low: count, high: count }
        const rise = count - low
        const fall = high - count
        const risePercent = (rise / Math.max(1, low)) * 100
        const fallPercent = (fall / Math.max(1, high)) * 100
        const rose = (share: number) => rise >= rule.atLeast && risePercent > rule.percent * share
        const fell = (share: number) => fall >= rule.atLeast && fallPercent > rule.percent * share
        const beyond = (share: number) => rose(share) || fell(share)
        const fired =
          rose(1) && (!fell(1) || risePercent >= fallPercent)
            ? `${room} rose from ${people(low)} to ${count.toLocaleString('en-US')} (+${percent(risePercent)}) within ${rule.minutes} min`
            : `${room} fell from ${people(high)} to ${count.toLocaleString('en-US')} (−${percent(fallPercent)}) within ${rule.minutes} min`
        return {
          fires: beyond(1),
          holds: beyond(CHANGE_RESOLVE_SHARE),
          fired,
          clear: `${room} has ${people(count)}, within ${percent(rule.percent * CHANGE_RESOLVE_SHARE)} of its range over the last ${rule.minutes} min`,
          now,
        }
      }
    }
  }

  // ------------------------------------------------------------------ connection

  private evaluateStale(rule: Extract<AlertRule, { kind: 'sync-stale' }>, at: number): AlertChange[] {
    const sync = this.sync
    if (!sync) return []
    const key = keyOf(rule.id, null)
    const active = this.active.get(key)
    const since = sync.lastSuccessAt ?? sync.failingSince
    const age = since === null ? 0 : at - since
    if (active) {
      if (sync.state === 'ok') {
        this.active.delete(key)
        const message = active.adopted ? `${RESUMED}: sync works` : 'Sync works again'
        return [{ type: 'resolve', ruleId: rule.id, room: null, at, message }]
      }
      if (sync.state === 'failing') active.adopted = false
      return []
    }
    if (sync.state !== 'failing' || age <= rule.seconds * 1000) return []
    this.active.set(key, { ruleId: rule.id, room: null, adopted: false })
    const last =
      sync.lastSuccessAt === null ? 'No sync has succeeded' : `No successful sync for ${Math.round(age / 1000)} s`
    return [{ type: 'fire', rule, room: null, at, message: `${last}${sync.error ? `: ${sync.error}` : ''}` }]
  }

  private evaluateBroadcast(rule: Extract<AlertRule, { kind: 'broadcast-failing' }>, at: number): AlertChange[] {
    const broadcast = this.broadcast
    if (!broadcast || broadcast.state === 'starting') return []
    const key = keyOf(rule.id, null)
    const active = this.active.get(key)
    if (active) {
      if (broadcast.state === 'failing') {
        active.adopted = false
        return []
      }
      const settled =
        active.adopted ||
        broadcast.state === 'off' ||
        (this.broadcastFineSince !== null && at - this.broadcastFineSince >= BROADCAST_RESOLVE_HOLD_MS)
      if (!settled) return []
      this.active.delete(key)
      const words = broadcast.state === 'off' ? 'Broadcasting is switched off' : 'The broadcaster sends again'
      const message = active.adopted ? `${RESUMED}: ${words.toLowerCase()}` : words
      return [{ type: 'resolve', ruleId: rule.id, room: null, at, message }]
    }
    const since = this.broadcastFailingSince
    if (broadcast.state !== 'failing' || since === null || at - since < rule.seconds * 1000) return []
    this.active.set(key, { ruleId: rule.id, room: null, adopted: false })
    const lasting = rule.seconds > 0 ? ` for ${Math.round((at - since) / 1000)} s` : ''
    return [
      {
        type: 'fire',
        rule,
        room: null,
        at,
        message: `The broadcaster has been failing${lasting}${broadcast.error ? `: ${broadcast.error}` : ''}`,
      },
    ]
  }
}

function isRoomRule(rule: AlertRule): rule is RoomRule {
  return rule.kind === 'room-above' || rule.kind === 'room-below' || rule.kind === 'room-change'
}
