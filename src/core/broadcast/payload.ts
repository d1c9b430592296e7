// Event data the broadcaster sends, built to fit Pusher's 10 KB limit: a room summary that is too big
// is split into parts (and, past MAX_PARTS, truncated with a flag); a friend roster is paged. Nothing
// is ever sent that the server would refuse as too large.
import { Buffer } from 'node:buffer'
import type { FriendRosterPayload, RoomSummaryPayload } from '../../shared/broadcast.ts'
import type { RoomSummary } from '../presence/types.ts'

/** A room summary never takes more than this many events; further groups are left out (truncated). */
export const MAX_PARTS = 10

export interface BuiltData {
  /** JSON strings, each within the budget. */
  data: string[]
  split: boolean
  truncated: boolean
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8')

export interface SummaryDataOptions {
  /** Significant figures the counts were rounded to (`approx`, `precision`), or null when exact. */
  figures?: number | null
  /**
   * At most this many events (default MAX_PARTS). 1 on cache channels: the channel keeps only its last
   * event, so a late joiner would get only the last part; the smallest groups are left out instead.
   */
  maxParts?: number
}

/** Whether event data of this text is within `budget` bytes. */
export function fitsOneEvent(text: string, budget: number): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: most summaries fit without counting their bytes.
  return text.length * 3 <= budget || byteLength(text) <= budget
}

/**
 * The whole summary as JSON: `{room, count, groups, ts}`, plus `approx` and `precision` when rounded.
 * A literal object per case rather than a spread of the optional fields: stringified straight from it,
 * the text is also flat, which the request body's stringify reads fastest (text built by concatenation
 * is slower there than it saved).
 */
export function wholeSummaryText(summary: RoomSummary, ts: number, figures: number | null): string {
  const { room, count, groups } = summary
  return figures === null
    ? JSON.stringify({ room, count, groups, ts } satisfies RoomSummaryPayload)
    : JSON.stringify({ room, count, groups, ts, approx: true, precision: figures } satisfies RoomSummaryPayload)
}

/** `{room, count, groups, ts}` (plus `approx`, `precision` when rounded), split or truncated to fit `budget` bytes per event. */
export function summaryData(
  summary: RoomSummary,
  ts: number,
  budget: number,
  { figures = null, maxParts = MAX_PARTS }: SummaryDataOptions = {},
): BuiltData {
  const whole = wholeSummaryText(summary, ts, figures)
  if (fitsOneEvent(whole, budget)) return { data: [whole], split: false, truncated: false }

  const rounding: Pick<RoomSummaryPayload, 'approx' | 'precision'> =
    figures === null ? {} : { approx: true, precision: figures }

  // Largest groups first, so truncation drops the smallest.
  const entries = Object.entries(summary.groups).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  // Room for the envelope with the widest values its fields can take.
  const envelope = byteLength(
    JSON.stringify({
      room: summary.room,
      count: summary.count,
      groups: {},
      ts,
      ...rounding,
      part: maxParts,
      parts: maxParts,
      truncated: true,
      omittedGroups: entries.length,
    } satisfies RoomSummaryPayload),
  )
  const room = budget - envelope
  const parts: Array<Array<[string, number]>> = []
  let current: Array<[string, number]> = []
  let used = 0
  let placed = 0
  for (const entry of entries) {
    // "name":count plus a comma.
    const cost = byteLength(JSON.stringify(entry[0])) + 1 + String(entry[1]).length + 1
    if (cost > room) continue
    if (used + cost > room) {
      parts.push(current)
      if (parts.length === maxParts) {
        current = []
        break
      }
      current = []
      used = 0
    }
    current.push(entry)
    used += cost
    placed++
  }
  if (current.length > 0 && parts.length < maxParts) parts.push(current)
  const omitted = entries.length - placed
  const data = parts.map((groups, index) => {
    const payload: RoomSummaryPayload = {
      room: summary.room,
      count: summary.count,
      groups: Object.fromEntries(groups),
      ts,
      ...rounding,
      part: index + 1,
      parts: parts.length,
    }
    if (omitted > 0) {
      payload.truncated = true
      payload.omittedGroups = omitted
    }
    return JSON.stringify(payload)
  })
  return { data, split: true, truncated: omitted > 0 }
}

/** `{room, user, friends, ts, page, pages}`, paged to fit `budget` bytes per event (at most MAX_PARTS pages). */
export function rosterData(
  room: string,
  user: string,
  friends: readonly string[],
  ts: number,
  budget: number,
): BuiltData {
  const envelope = byteLength(
    JSON.stringify({
      room,
      user,
      friends: [],
      ts,
      page: MAX_PARTS,
      pages: MAX_PARTS,
      truncated: true,
    } satisfies FriendRosterPayload),
  )
  const space = budget - envelope
  const pages: string[][] = []
  let current: string[] = []
  let used = 0
  let truncated = false
  for (const friend of friends) {
    const cost = byteLength(JSON.stringify(friend)) + 1
    if (cost > space) continue
    if (used + cost > space && current.length > 0) {
      pages.push(current)
      current = []
      used = 0
      if (pages.length === MAX_PARTS) {
        truncated = true
        break
      }
    }
    current.push(friend)
    used += cost
  }
  if (pages.length < MAX_PARTS && (current.length > 0 || pages.length === 0)) pages.push(current)
  const data = pages.map((page, index) => {
    const payload: FriendRosterPayload = { room, user, friends: page, ts, page: index + 1, pages: pages.length }
    if (truncated) payload.truncated = true
    return JSON.stringify(payload)
  })
  return { data, split: pages.length > 1, truncated }
}
