import type { FriendRosterPayload, RoomSummaryPayload } from '../shared/broadcast.ts'

/**
 * Checks what arrives on the channels before it reaches the state: event data comes from the network,
 * so anything malformed is refused with the reason in words, never half-applied. Type-only imports: the
 * payload contract is shared with the broadcaster, the code stays free of dependencies.
 */

/** More pieces than any broadcaster sends (Headcount's maximum is 10). */
const MAX_PIECES = 100

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

function pieces(data: Record<string, unknown>, index: string, total: string): Checked<[number, number]> {
  const at = data[index] ?? 1
  const of = data[total] ?? 1
  if (!Number.isSafeInteger(of) || (of as number) < 1 || (of as number) > MAX_PIECES) {
    return { ok: false, reason: `"${total}" must be a whole number from 1 to ${MAX_PIECES}` }
  }
  if (!Number.isSafeInteger(at) || (at as number) < 1 || (at as number) > (of as number)) {
    return { ok: false, reason: `"${index}" must be a whole number from 1 to ${String(of)}` }
  }
  return { ok: true, value: [at as number, of as number] }
}

/** A room summary for `room`, or why not. `part`/`parts` default to 1 of 1. */
export function checkSummary(
  data: unknown,
  room: string,
): Checked<RoomSummaryPayload & { part: number; parts: number }> {
  if (!isRecord(data)) return { ok: false, reason: 'the summary is not a JSON object' }
  if (data.room !== room) return { ok: false, reason: `the summary is for room ${JSON.stringify(data.room)}` }
  if (!isCount(data.count)) return { ok: false, reason: '"count" must be a whole number of 0 or more' }
  if (typeof data.ts !== 'number' || !Number.isFinite(data.ts)) return { ok: false, reason: '"ts" must be a number' }
  if (!isRecord(data.groups)) return { ok: false, reason: '"groups" must be an object of counts' }
  for (const [group, count] of Object.entries(data.groups)) {
    if (!isCount(count)) return { ok: false, reason: `group ${JSON.stringify(group)} has no valid count` }
  }
  if (data.approx !== undefined && data.approx !== true) return { ok: false, reason: '"approx" must be true or absent' }
  if (data.precision !== undefined && (!Number.isSafeInteger(data.precision) || (data.precision as number) < 1)) {
    return { ok: false, reason: '"precision" must be a whole number of 1 or more' }
  }
  if (data.omittedGroups !== undefined && !isCount(data.omittedGroups)) {
    return { ok: false, reason: '"omittedGroups" must be a whole number of 0 or more' }
  }
  const place = pieces(data, 'part', 'parts')
  if (!place.ok) return place
  const summary: RoomSummaryPayload & { part: number; parts: number } = {
    room,
    count: data.count,
    groups: data.groups as Record<string, number>,
    ts: data.ts,
    part: place.value[0],
    parts: place.value[1],
  }
  if (data.approx === true) summary.approx = true
  if (data.precision !== undefined) summary.precision = data.precision as number
  if (data.truncated === true) summary.truncated = true
  if (data.omittedGroups !== undefined) summary.omittedGroups = data.omittedGroups
  return { ok: true, value: summary }
}

/** A friend roster for `user` in `room`, or why not. */
export function checkRoster(data: unknown, room: string, user: string): Checked<FriendRosterPayload> {
  if (!isRecord(data)) return { ok: false, reason: 'the roster is not a JSON object' }
  if (data.room !== room) return { ok: false, reason: `the roster is for room ${JSON.stringify(data.room)}` }
  if (data.user !== user) return { ok: false, reason: `the roster is for user ${JSON.stringify(data.user)}` }
  if (typeof data.ts !== 'number' || !Number.isFinite(data.ts)) return { ok: false, reason: '"ts" must be a number' }
  if (!Array.isArray(data.friends) || !data.friends.every((friend) => typeof friend === 'string')) {
    return { ok: false, reason: '"friends" must be a list of user ids' }
  }
  const place = pieces(data, 'page', 'pages')
  if (!place.ok) return place
  const roster: FriendRosterPayload = {
    room,
    user,
    friends: data.friends as string[],
    ts: data.ts,
    page: place.value[0],
    pages: place.value[1],
  }
  if (data.truncated === true) roster.truncated = true
  return { ok: true, value: roster }
}
