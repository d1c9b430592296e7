// The ingest must not depend on the order a channel list comes in: the same channels in any order, or
// with churn in any order, give exactly what a fresh JSON.parse of the same bytes gives. An oracle built
// from JSON.parse and a Map of Sets is checked against the state over many seeded polls: shuffled,
// reversed, partly moved, churned, with escaped names, attributes, several devices per user, channels
// that are not participants, duplicated keys, and names whose hashes collide.
import { describe, expect, it } from 'vitest'
import { compileConvention, type CompiledConvention, type NamingConvention } from '../../shared/naming.ts'
import { hashBytes } from './byte-table.ts'
import { PresenceState } from './presence-state.ts'
import type { IngestResult, Member, RoomSummary } from './types.ts'
import { seededRandom } from '../../shared/seeded-random.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Template names: private-{room}-{group}-{user}. */
const TEMPLATE: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }
/** The same, where a user may have several channels: private-{room}-{group}-{user}[-dN]. */
const DEVICES: NamingConvention = {
  kind: 'regex',
  pattern: 'private-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>[^-]+?)(?:-d\\d+)?',
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = items.slice()
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

/** Every character as a \u escape: a name the scanner must decode before it can recognise it. */
function escaped(name: string): string {
  return `"${[...name].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
}

/**
 * A response body listing `names` in the given order. Some names are escaped, some values carry
 * attributes, chosen afresh for each body, so a channel is seen both ways over a run.
 */
function body(names: readonly string[], next: () => number): Uint8Array {
  const parts = names.map((name) => {
    const key = next() < 0.02 ? escaped(name) : JSON.stringify(name)
    const draw = next()
    const value = draw < 0.05 ? '{"subscription_count":2}' : draw < 0.07 ? '{ "user_count" : 3, "x" : [ {} ] }' : '{}'
    return `${key}:${value}`
  })
  return encoder.encode(`{"channels":{${parts.join(',')}}}`)
}

/** What the state should say, worked out from the body alone: JSON.parse, then a Map of Sets. */
interface Expected {
  channels: number
  unmatched: number
  /** "room/user" → the member. */
  members: Map<string, Member>
  rooms: RoomSummary[]
}

function oracle(bytes: Uint8Array, convention: CompiledConvention, groupOf: Map<string, string | null>): Expected {
  const parsed = JSON.parse(decoder.decode(bytes)) as { channels: Record<string, unknown> }
  const names = Object.keys(parsed.channels)
  const members = new Map<string, Member>()
  const usersByRoom = new Map<string, Set<string>>()
  const usersByGroup = new Map<string, Map<string, Set<string>>>()
  let unmatched = 0
  for (const name of names) {
    const participant = convention.parse(name)
    if (participant === null) {
      unmatched++
      continue
    }
    const key = `${participant.room}/${participant.user}`
    // A member keeps the group it was first seen with (the generators give a user one group anyway).
    const group = groupOf.get(key) ?? participant.group
    members.set(key, { room: participant.room, group, user: participant.user })
    let users = usersByRoom.get(participant.room)
    if (users === undefined) usersByRoom.set(participant.room, (users = new Set()))
    users.add(participant.user)
    if (group !== null) {
      let groups = usersByGroup.get(participant.room)
      if (groups === undefined) usersByGroup.set(participant.room, (groups = new Map()))
      let inGroup = groups.get(group)
      if (inGroup === undefined) groups.set(group, (inGroup = new Set()))
      inGroup.add(participant.user)
    }
  }
  const rooms = [...usersByRoom].map(([room, users]): RoomSummary => {
    const groups: Record<string, number> = {}
    for (const [group, inGroup] of usersByGroup.get(room) ?? []) groups[group] = inGroup.size
    return { room, count: users.size, groups }
  })
  rooms.sort((a, b) => b.count - a.count || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0))
  return { channels: names.length, unmatched, members, rooms }
}

const memberKey = (member: Member): string => `${member.room}/${member.group ?? ''}/${member.user}`
const sortedKeys = (members: Iterable<Member>): string[] => [...members].map(memberKey).sort()

/** Polls the state with each body and checks every result, and the rosters, against the oracle. */
class Checker {
  readonly state: PresenceState
  private readonly convention: CompiledConvention
  private previous = new Map<string, Member>()
  private readonly groupOf = new Map<string, string | null>()
  private at = 1000

  constructor(convention: NamingConvention, sliceMs?: number) {
    this.convention = compileConvention(convention)
    this.state = new PresenceState(this.convention, sliceMs === undefined ? {} : { sliceMs })
  }

  async poll(bytes: Uint8Array, label: string): Promise<IngestResult> {
    const expected = oracle(bytes, this.convention, this.groupOf)
    const result = await this.state.ingestChannelList(bytes, (this.at += 1000))
    expect({ label, channels: result.channels, unmatched: result.unmatched, total: result.total }).toEqual({
      label,
      channels: expected.channels,
      unmatched: expected.unmatched,
      total: expected.members.size,
    })
    expect(result.rooms).toEqual(expected.rooms)
    const joins = [...expected.members].filter(([key]) => !this.previous.has(key)).map(([, member]) => member)
    const leaves = [...this.previous].filter(([key]) => !expected.members.has(key)).map(([, member]) => member)
    expect(sortedKeys(result.joins)).toEqual(sortedKeys(joins))
    expect(sortedKeys(result.leaves)).toEqual(sortedKeys(leaves))
    expect(result.joinCount).toBe(joins.length)
    expect(result.leaveCount).toBe(leaves.length)
    for (const [key, member] of expected.members) if (!this.groupOf.has(key)) this.groupOf.set(key, member.group)
    for (const key of this.previous.keys()) if (!expected.members.has(key)) this.groupOf.delete(key)
    this.previous = expected.members
    return result
  }

  /** The rosters of a few rooms, as sets, against the oracle's. */
  checkRosters(rooms: readonly string[]): void {
    for (const room of rooms) {
      const page = this.state.members(room, { offset: 0, limit: 1_000_000 })
      const roster = page.members.map((row) => memberKey({ room, group: row.group, user: row.user })).sort()
      const expected = [...this.previous.values()].filter((member) => member.room === room)
      expect(roster).toEqual(sortedKeys(expected))
      expect(page.total).toBe(expected.length)
    }
  }
}

/**
 * A crowd: users in rooms and groups, some on several devices, some with long ids, plus channels that
 * are not participants.
 */
function crowd(next: () => number, users: number, rooms: number, devices: boolean): string[] {
  const groups = ['red', 'blue', 'green', 'staff']
  const names: string[] = []
  for (let i = 0; i < users; i++) {
    const room = `room${Math.floor(Math.pow(next(), 2) * rooms)}`
    const group = groups[Math.floor(next() * groups.length)] as string
    // Some ids are long, so their names do not fit a record and end in the arena.
    const user =
      next() < 0.1
        ? `u${i.toString(36)}x${Math.floor(next() * 2 ** 52)
            .toString(16)
            .repeat(3)}`
        : `u${i.toString(36)}`
    if (devices && next() < 0.2) {
      const count = 2 + Math.floor(next() * 2)
      for (let d = 1; d <= count; d++) names.push(`private-${room}-${group}-${user}-d${d}`)
      // Sometimes the bare channel too: one more device.
      if (next() < 0.3) names.push(`private-${room}-${group}-${user}`)
    } else {
      names.push(`private-${room}-${group}-${user}`)
    }
  }
  for (let r = 0; r < rooms; r += 3) names.push(`private-room${r}`)
  names.push('private-', 'private-x-y', 'presence-room1-red-u1', 'private-room1-red-', 'private-r\u00e9-red-u1')
  return names
}

/** `share` of the names leave and as many new users arrive (some joining with several devices). */
function churn(names: readonly string[], next: () => number, share: number, fresh: number, devices: boolean): string[] {
  const kept = names.filter(() => next() >= share)
  const arrivals = crowd(next, Math.max(1, Math.round(names.length * share)), 40, devices).map((name) =>
    // New users get ids of their own; broadcast and odd channels come back as they were.
    name.replace(
      /-u([0-9a-z]+)(-d\d+)?$/,
      (_, id: string, device: string | undefined) => `-n${fresh}x${id}${device ?? ''}`,
    ),
  )
  return [...kept, ...arrivals]
}

/** Moves a few blocks of the list elsewhere: mostly the same order, with breaks. */
function moveBlocks(names: readonly string[], next: () => number): string[] {
  let result = names.slice()
  for (let i = 0; i < 5; i++) {
    const start = Math.floor(next() * result.length)
    const length = Math.floor(next() * 50) + 1
    const block = result.splice(start, length)
    const to = Math.floor(next() * result.length)
    result = [...result.slice(0, to), ...block, ...result.slice(to)]
  }
  return result
}

describe('ingest in any order: against JSON.parse and a Map of Sets', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const devices = seed % 2 === 0
    it(`seed ${seed}${devices ? ', users on several devices' : ''}: shuffled, reversed, moved and churned lists`, async () => {
      const next = seededRandom(seed)
      // Small slices (1 ms) so scans are cut into many pieces along the way.
      const checker = new Checker(devices ? DEVICES : TEMPLATE, 1)
      let names = crowd(next, 3000, 40, devices)
      const first = await checker.poll(body(names, next), 'first')
      expect(first.total).toBeGreaterThan(2500)
      expect(first.unmatched).toBeGreaterThan(10)

      await checker.poll(body(shuffled(names, next), next), 'same channels, shuffled')
      await checker.poll(body(shuffled(names, next), next), 'shuffled again')
      await checker.poll(body(names.slice().reverse(), next), 'reversed')
      await checker.poll(body(names, next), 'first order again')
      await checker.poll(body(moveBlocks(names, next), next), 'blocks moved')

      for (let round = 0; round < 4; round++) {
        names = churn(names, next, 0.01, round, devices)
        const order = round % 2 === 0 ? shuffled(names, next) : names
        const result = await checker.poll(body(order, next), `1% churn, round ${round}`)
        expect(result.joinCount).toBeGreaterThan(0)
        expect(result.leaveCount).toBeGreaterThan(0)
      }
      names = churn(names, next, 0.3, 9, devices)
      await checker.poll(body(shuffled(names, next), next), '30% churn, shuffled')

      // A channel listed twice (JSON keeps the last; the list still names it once).
      const twice = shuffled([...names, ...names.slice(0, 50)], next)
      await checker.poll(body(twice, next), 'duplicated keys, shuffled')
      await checker.poll(body(shuffled(names, next), next), 'shuffled after duplicates')
      // New channels listed twice, close together, amid a new order: both copies wait in one lookup batch.
      const newcomers = crowd(next, 40, 5, devices).map((name) => name.replace(/-u([0-9a-z]+)/, '-v$1'))
      const withNewTwice = shuffled(names, next)
      for (const name of newcomers) {
        const at = Math.floor(next() * withNewTwice.length)
        withNewTwice.splice(at, 0, name, ...(next() < 0.5 ? [] : [withNewTwice[at] as string]), name)
      }
      await checker.poll(body(withNewTwice, next), 'new channels listed twice')
      names = [...names, ...newcomers]
      await checker.poll(body(shuffled(names, next), next), 'shuffled after new duplicates')
      checker.checkRosters(['room0', 'room1', 'room7', 'room39'])

      await checker.poll(body([], next), 'everyone gone')
      await checker.poll(body(shuffled(names, next), next), 'everyone back, shuffled')
    }, 60_000)
  }

  it('tells apart names whose 32-bit hashes are equal, in any order', async () => {
    // Names with the same FNV-1a hash (found by trying): only their bytes tell them apart.
    const byHash = new Map<number, string>()
    const pairs: Array<[string, string]> = []
    for (let i = 0; pairs.length < 6; i++) {
      const name = `private-room${i % 7}-red-c${i.toString(36)}`
      const bytes = encoder.encode(name)
      const hash = hashBytes(bytes, 0, bytes.length)
      const other = byHash.get(hash)
      if (other === undefined) byHash.set(hash, name)
      else pairs.push([other, name])
    }
    const next = seededRandom(99)
    const checker = new Checker(TEMPLATE, 1)
    const filler = crowd(next, 2000, 10, false)
    const firsts = pairs.map(([a]) => a)
    const seconds = pairs.map(([, b]) => b)

    await checker.poll(body(shuffled([...filler, ...firsts], next), next), 'one of each pair')
    let result = await checker.poll(body(shuffled([...filler, ...firsts, ...seconds], next), next), 'both of each pair')
    expect(result.joinCount).toBe(pairs.length)
    result = await checker.poll(body(shuffled([...filler, ...seconds], next), next), 'the other of each pair')
    expect(result.joinCount).toBe(0)
    expect(result.leaveCount).toBe(pairs.length)
    await checker.poll(body([...filler, ...seconds], next), 'same order')
    await checker.poll(body(shuffled([...filler, ...firsts], next), next), 'swapped back, shuffled')
  }, 60_000)

  it('stays exact at 200,000 channels over shuffled and churned polls', async () => {
    const next = seededRandom(2024)
    const checker = new Checker(DEVICES)
    let names = crowd(next, 180_000, 2000, true)
    expect(names.length).toBeGreaterThan(200_000)
    await checker.poll(body(names, next), 'first')
    await checker.poll(body(shuffled(names, next), next), 'shuffled')
    names = churn(names, next, 0.01, 1, true)
    await checker.poll(body(shuffled(names, next), next), '1% churn, shuffled')
    names = churn(names, next, 0.01, 2, true)
    await checker.poll(body(names, next), '1% churn, list order')
    await checker.poll(body(names, next), 'no change, same order')
    checker.checkRosters(['room0', 'room1', 'room1999'])
  }, 180_000)
})
