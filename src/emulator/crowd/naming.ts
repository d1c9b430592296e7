/**
 * The channel names the crowd uses, following Headcount's naming convention (DESIGN §3):
 * `private-{room}-{user}`, or `private-{room}-{group}-{user}` with subgroups. Room, group and user ids
 * never contain the separator, so every name parses back unambiguously.
 */

export const CHANNEL_PREFIX = 'private-'
export const SEPARATOR = '-'
/** Pusher's channel characters minus the separator; `,` is left out too so group lists can be written `a,b`. */
const ID = /^[A-Za-z0-9_=@.;]+$/

/** Whether `id` may stand as one segment (room, group or user) of a crowd channel name. */
export function isValidId(id: string): boolean {
  return ID.test(id)
}

/** Rooms are numbered from 1 in order of popularity: `room1` is the busiest. */
export function roomId(index: number): string {
  return `room${index + 1}`
}

/** Fixed-width user ids (`u000123`), widened when the population needs more digits. */
export function userIdWidth(population: number): number {
  return Math.max(6, String(Math.max(0, population - 1)).length)
}

export function userId(index: number, width: number): string {
  return `u${String(index).padStart(width, '0')}`
}

export function channelName(room: string, group: string | undefined, user: string): string {
  return group === undefined
    ? `${CHANNEL_PREFIX}${room}${SEPARATOR}${user}`
    : `${CHANNEL_PREFIX}${room}${SEPARATOR}${group}${SEPARATOR}${user}`
}

/** Why a list of group names can't be used, or null when it can. */
export function groupNamesProblem(groups: readonly string[]): string | null {
  if (groups.length === 0) return 'give at least one group name'
  if (groups.length > 255) return `at most 255 groups, got ${groups.length}`
  const seen = new Set<string>()
  for (const group of groups) {
    if (!isValidId(group)) {
      return `group "${group}" must be letters, digits or _ = @ . ; (no "${SEPARATOR}", which separates the parts of a channel name)`
    }
    if (group.length > 64) return `group "${group.slice(0, 16)}…" is longer than 64 characters`
    if (seen.has(group)) return `group "${group}" is listed twice`
    seen.add(group)
  }
  return null
}
