import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { STREAM, type Population } from './population.ts'
import { Random } from './random.ts'

export interface CrowdFriendGraphOptions {
  /** Friends chosen by each user (default 5). */
  perUser?: number
  /** Share of those chosen among people with the same home room (default 0.5), so rosters are not empty. */
  sameRoomShare?: number
  /** Friendship goes both ways: every pair is listed in both directions (default false: directed). */
  mutual?: boolean
  seed: number
}

const NONE = 0xffffffff

/**
 * Who counts whom as a friend in a simulated crowd (the engine's FriendGraph is the one it imports from a
 * CSV; this one writes such CSVs): `perUser` slots per user in one flat typed array (NONE where no distinct
 * friend could be found), so a million users with five friends each take 20 MB rather than millions of
 * arrays.
 */
export class CrowdFriendGraph {
  readonly population: Population
  readonly perUser: number
  readonly mutual: boolean
  readonly #slots: Uint32Array

  constructor(population: Population, perUser: number, mutual: boolean, slots: Uint32Array) {
    this.population = population
    this.perUser = perUser
    this.mutual = mutual
    this.#slots = slots
  }

  /** The friends `user` chose (not those who chose `user`). */
  chosenBy(user: number): number[] {
    const friends: number[] = []
    for (let k = 0; k < this.perUser; k++) {
      const friend = this.#slots[user * this.perUser + k] as number
      if (friend !== NONE) friends.push(friend)
    }
    return friends
  }

  #chose(user: number, friend: number): boolean {
    for (let k = 0; k < this.perUser; k++) if (this.#slots[user * this.perUser + k] === friend) return true
    return false
  }

  /** Every (user, friend) pair once; with `mutual`, the reverse of each choice too, without duplicates. */
  *pairs(): Generator<[number, number]> {
    for (let user = 0; user < this.population.size; user++) {
      for (let k = 0; k < this.perUser; k++) {
        const friend = this.#slots[user * this.perUser + k] as number
        if (friend === NONE) continue
        yield [user, friend]
        // The reverse pair is emitted here unless the friend chose back, in which case it comes with them.
        if (this.mutual && !this.#chose(friend, user)) yield [friend, user]
      }
    }
  }
}

export function buildFriendGraph(population: Population, options: CrowdFriendGraphOptions): CrowdFriendGraph {
  const { perUser = 5, sameRoomShare = 0.5, mutual = false, seed } = options
  if (!Number.isInteger(perUser) || perUser < 0 || perUser > 100)
    throw new RangeError(`perUser must be an integer from 0 to 100, got ${perUser}`)
  if (!(sameRoomShare >= 0 && sameRoomShare <= 1))
    throw new RangeError(`sameRoomShare must be from 0 to 1, got ${sameRoomShare}`)
  const users = population.size
  const random = new Random(seed, STREAM.friends)

  // Users grouped by home room (a counting sort), so a same-room friend is one random index away.
  const roomStart = new Uint32Array(population.rooms + 1)
  for (let u = 0; u < users; u++) roomStart[(population.homeRoom[u] as number) + 1]!++
  for (let r = 0; r < population.rooms; r++) roomStart[r + 1]! += roomStart[r] as number
  const fill = roomStart.slice(0, population.rooms)
  const byRoom = new Uint32Array(users)
  for (let u = 0; u < users; u++) byRoom[fill[population.homeRoom[u] as number]!++] = u

  const slots = new Uint32Array(users * perUser).fill(NONE)
  const sameRoom = Math.round(perUser * sameRoomShare)
  for (let user = 0; user < users; user++) {
    const room = population.homeRoom[user] as number
    const from = roomStart[room] as number
    const roomSize = (roomStart[room + 1] as number) - from
    const base = user * perUser
    for (let k = 0; k < perUser; k++) {
      const local = k < sameRoom && roomSize > 1
      const pool = local ? roomSize : users
      if (pool < 2) break
      // A few tries find a friend who is neither the user nor already chosen; small rooms may run out.
      for (let attempt = 0; attempt < 8; attempt++) {
        const pick = random.int(pool)
        const friend = local ? (byRoom[from + pick] as number) : pick
        if (friend === user || slots.subarray(base, base + k).includes(friend)) continue
        slots[base + k] = friend
        break
      }
    }
  }
  return new CrowdFriendGraph(population, perUser, mutual, slots)
}

/** The graph as CSV text in chunks: a `user,friend` header, then one pair per line. */
export function* friendsCsvChunks(graph: CrowdFriendGraph, chunkLines = 8192): Generator<string> {
  const population = graph.population
  let lines: string[] = ['user,friend']
  for (const [user, friend] of graph.pairs()) {
    lines.push(`${population.userId(user)},${population.userId(friend)}`)
    if (lines.length >= chunkLines) {
      yield `${lines.join('\n')}\n`
      lines = []
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`
}

/** Streams the graph to `path` (ids are plain `u000123`, so no cell needs quoting or neutralising). */
export async function writeFriendsCsv(graph: CrowdFriendGraph, path: string): Promise<void> {
  await pipeline(Readable.from(friendsCsvChunks(graph)), createWriteStream(path))
}
