import type Pusher from 'pusher'
import type { Crowd } from '../../../src/emulator/crowd/crowd.ts'

/** Occupied channels under `prefix` with their subscription counts, as an app would see them over the HTTP API. */
export async function listChannels(client: Pusher, prefix = 'private-'): Promise<Map<string, number>> {
  const response = await client.get({
    path: '/channels',
    params: { filter_by_prefix: prefix, info: 'subscription_count' },
  })
  const body = (await response.json()) as { channels: Record<string, { subscription_count?: number }> }
  return new Map(Object.entries(body.channels).map(([name, info]) => [name, info.subscription_count ?? 0]))
}

/** The channels the crowd should occupy now, each with its number of connections. */
export function expectedChannels(crowd: Crowd): Map<string, number> {
  const population = crowd.population
  return new Map(
    [...crowd.presentUsers()].map((user) => [population.channel(user), population.devices[user] as number]),
  )
}

/** Connections per room channel the crowd should hold (everyone present; second devices twice). */
export function expectedRoomChannels(crowd: Crowd, template = '{room}'): Map<string, number> {
  const population = crowd.population
  const counts = new Map<string, number>()
  for (const user of crowd.presentUsers()) {
    const name = template.replace('{room}', population.roomOf(user))
    counts.set(name, (counts.get(name) ?? 0) + (population.devices[user] as number))
  }
  return counts
}

export const sortedEntries = (map: Map<string, number>): [string, number][] =>
  [...map].sort(([a], [b]) => a.localeCompare(b))

/**
 * Polls until `read` returns what `accept` wants (socket closes reach the server a moment after the client
 * lets go); returns the last value, so the caller's assertion shows the difference if it never settles.
 */
export async function settle<T>(read: () => Promise<T>, accept: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read()
  for (let i = 0; i < attempts && !accept(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await read()
  }
  return value
}

export const sameEntries = (a: Map<string, number>, b: Map<string, number>): boolean =>
  a.size === b.size && [...a].every(([name, count]) => b.get(name) === count)
