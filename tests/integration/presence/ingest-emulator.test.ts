// The presence ingest against the real emulator over HTTP: channel lists fetched with the official
// `pusher` SDK, from injected crowds and from real pusher-js sockets, parsed into rooms, groups, joins
// and leaves.
import Pusher from 'pusher'
import type PusherJs from 'pusher-js'
import { client, subscribed } from '../emulator/helpers.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningEmulator, startEmulator } from '../../../src/emulator/index.ts'
import { compileConvention, type NamingConvention } from '../../../src/shared/naming.ts'
import { ServerErrorInBody } from '../../../src/core/presence/errors.ts'
import { PresenceState } from '../../../src/core/presence/presence-state.ts'
import type { Member } from '../../../src/core/presence/types.ts'

const GROUPS_TEMPLATE: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }
const keys = (members: Member[]): string[] => members.map((m) => `${m.room}/${m.group ?? ''}/${m.user}`).sort()

describe('presence ingest against the emulator', () => {
  let emulator: RunningEmulator
  let sdk: Pusher
  const sockets: PusherJs[] = []

  beforeAll(async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    sdk = Pusher.forURL(emulator.url)
  })
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect()
    await emulator.close()
  })

  const fetchList = async (prefix: string): Promise<Uint8Array> => {
    const response = await sdk.get({ path: '/channels', params: { filter_by_prefix: prefix } })
    expect(response.status).toBe(200)
    return new Uint8Array(await response.arrayBuffer())
  }

  it('counts injected members per room and group, and finds exact joins and leaves', async () => {
    const convention = compileConvention(GROUPS_TEMPLATE)
    const state = new PresenceState(convention)
    const crowd = [
      'private-lobby-red-max',
      'private-lobby-red-eve',
      'private-lobby-blue-bob',
      'private-stage-red-ann',
      'private-stage-blue-zed',
    ]
    const handles = emulator.injectMany(crowd.map((channel) => ({ channel })))
    // The room channels the broadcaster publishes to share the prefix: unmatched, never people.
    const broadcast = emulator.injectMany([{ channel: 'private-lobby' }, { channel: 'private-stage' }])
    // A second device of max: the same channel, one more subscription.
    const secondDevice = emulator.inject('private-lobby-red-max')

    let result = await state.ingestChannelList(await fetchList(convention.prefix), 1000)
    expect(result.channels).toBe(7)
    expect(result.unmatched).toBe(2)
    expect(result.total).toBe(5)
    expect(result.rooms).toEqual([
      { room: 'lobby', count: 3, groups: { red: 2, blue: 1 } },
      { room: 'stage', count: 2, groups: { red: 1, blue: 1 } },
    ])
    expect(keys(result.joins)).toEqual([
      'lobby/blue/bob',
      'lobby/red/eve',
      'lobby/red/max',
      'stage/blue/zed',
      'stage/red/ann',
    ])

    // Max closes one device: still present. Eve leaves, two arrive.
    emulator.removeInjected(secondDevice)
    emulator.removeInjected(handles[1] as number)
    const arrivals = emulator.injectMany([{ channel: 'private-stage-red-kim' }, { channel: 'private-attic-green-joe' }])
    result = await state.ingestChannelList(await fetchList(convention.prefix), 2000)
    expect(keys(result.joins)).toEqual(['attic/green/joe', 'stage/red/kim'])
    expect(keys(result.leaves)).toEqual(['lobby/red/eve'])
    expect(state.room('lobby')).toEqual({ room: 'lobby', count: 2, groups: { red: 1, blue: 1 } })
    expect(
      state.members('stage', { group: 'red', offset: 0, limit: 10 }).members.map((m) => [m.user, m.since]),
    ).toEqual([
      ['ann', 1000],
      ['kim', 2000],
    ])

    emulator.removeInjectedMany([...handles, ...broadcast, ...arrivals])
    result = await state.ingestChannelList(await fetchList(convention.prefix), 3000)
    expect(result.total).toBe(0)
    expect(result.leaves).toHaveLength(6)
  })

  it('sees real pusher-js subscribers', async () => {
    const state = new PresenceState(compileConvention({ kind: 'template', template: 'private-{room}-{user}' }))
    const subscribe = async (channel: string): Promise<void> => {
      const socket = client(emulator)
      sockets.push(socket)
      await subscribed(socket, channel)
    }
    await Promise.all([
      subscribe('private-hall-amy'),
      subscribe('private-hall-ben'),
      subscribe('private-hall-amy'),
      subscribe('private-hall'),
    ])
    const result = await state.ingestChannelList(await fetchList('private-hall'), 1)
    expect(result.channels).toBe(3)
    expect(result.unmatched).toBe(1)
    expect(keys(result.joins)).toEqual(['hall//amy', 'hall//ben'])
  })

  it('ingests a crowd of 100,000 injected members exactly', async () => {
    const convention = compileConvention(GROUPS_TEMPLATE)
    const state = new PresenceState(convention)
    const groups = ['red', 'blue', 'green']
    const entries = Array.from({ length: 100_000 }, (_, i) => ({
      channel: `private-room${i % 37}-${groups[i % 3] as string}-u${i}`,
    }))
    const handles = emulator.injectMany(entries)
    let result = await state.ingestChannelList(await fetchList('private-room'), 1)
    expect(result.channels).toBe(100_000)
    expect(result.total).toBe(100_000)
    expect(result.joins).toHaveLength(100_000)
    expect(result.rooms.reduce((sum, room) => sum + room.count, 0)).toBe(100_000)
    expect(state.room('room0')).toEqual({ room: 'room0', count: 2703, groups: { red: 901, blue: 901, green: 901 } })

    // 1% leave.
    emulator.removeInjectedMany(handles.filter((_, i) => i % 100 === 0))
    result = await state.ingestChannelList(await fetchList('private-room'), 2)
    expect(result.leaves).toHaveLength(1000)
    expect(result.joins).toHaveLength(0)
    expect(result.total).toBe(99_000)
    emulator.removeInjectedMany(handles)
  })

  it('rejects an error body and keeps the state', async () => {
    const state = new PresenceState(compileConvention(GROUPS_TEMPLATE))
    const handle = emulator.inject('private-x-y-z')
    await state.ingestChannelList(await fetchList('private-x-'), 1)
    // A signature the emulator refuses. It answers 401 as Pusher does; some compatible servers put the
    // same error in a 200 body instead, which is what the ingest must refuse.
    const wrong = Pusher.forURL(emulator.url.replace(`:${emulator.secret}@`, ':wrong-secret@'))
    const refusal = await wrong.get({ path: '/channels', params: { filter_by_prefix: 'private-x-' } }).then(
      () => null,
      (error: unknown) => error as { status: number; body: string },
    )
    expect(refusal?.status).toBe(401)
    const errorIn200 = new TextEncoder().encode(JSON.stringify({ error: refusal?.body, code: refusal?.status }))
    await expect(state.ingestChannelList(errorIn200, 2)).rejects.toMatchObject({ code: 401 })
    await expect(state.ingestChannelList(errorIn200, 2)).rejects.toBeInstanceOf(ServerErrorInBody)
    expect(state.room('x')).toEqual({ room: 'x', count: 1, groups: { y: 1 } })
    emulator.removeInjected(handle)
  })
})

describe('presence ingest against an emulator that lists channels in random order', () => {
  let emulator: RunningEmulator
  let sdk: Pusher

  beforeAll(async () => {
    emulator = await startEmulator({ shuffleChannels: true })
    sdk = Pusher.forURL(emulator.url)
  })
  afterAll(async () => {
    await emulator.close()
  })

  /** The rooms, group counts and members a fresh JSON.parse of the body gives: the oracle. */
  const fromJson = (body: Uint8Array): { names: string[]; members: Set<string>; rooms: Map<string, number> } => {
    const names = Object.keys((JSON.parse(new TextDecoder().decode(body)) as { channels: object }).channels)
    const members = new Set<string>()
    const rooms = new Map<string, number>()
    for (const name of names) {
      const match = /^private-([^-]+)-([^-]+)-([^-]+)$/.exec(name)
      if (match === null) continue
      const key = `${match[1]}/${match[2]}/${match[3]}`
      if (members.has(key)) continue
      members.add(key)
      rooms.set(match[1] as string, (rooms.get(match[1] as string) ?? 0) + 1)
    }
    return { names, members, rooms }
  }

  it('finds the same rooms, joins and leaves as a fresh parse, poll after poll', async () => {
    const state = new PresenceState(compileConvention(GROUPS_TEMPLATE))
    const groups = ['red', 'blue', 'green']
    const channel = (i: number): string => `private-hall${i % 23}-${groups[i % 3] as string}-u${i}`
    let handles = emulator.injectMany(Array.from({ length: 20_000 }, (_, i) => ({ channel: channel(i) })))
    // Broadcast channels (not people) and second devices (one channel, two subscriptions), among
    // channels that stay.
    emulator.injectMany([{ channel: 'private-hall0' }, { channel: 'private-hall1' }])
    emulator.injectMany(Array.from({ length: 500 }, (_, i) => ({ channel: channel(10_000 + i * 7) })))

    let previous = new Set<string>()
    let previousOrder: string[] = []
    for (let poll = 0; poll < 5; poll++) {
      const response = await sdk.get({
        path: '/channels',
        params: { filter_by_prefix: 'private-hall', info: 'subscription_count' },
      })
      const body = new Uint8Array(await response.arrayBuffer())
      const expected = fromJson(body)
      // The emulator really did list them in another order.
      expect(expected.names).not.toEqual(previousOrder)
      const result = await state.ingestChannelList(body, 1000 * (poll + 1))
      expect(result.channels).toBe(expected.names.length)
      expect(result.unmatched).toBe(2)
      expect(result.total).toBe(expected.members.size)
      expect(new Map(result.rooms.map((room) => [room.room, room.count]))).toEqual(expected.rooms)
      expect(keys(result.joins)).toEqual([...expected.members].filter((key) => !previous.has(key)).sort())
      expect(keys(result.leaves)).toEqual([...previous].filter((key) => !expected.members.has(key)).sort())
      if (poll > 0) expect(result.joins.length + result.leaves.length).toBe(poll % 2 === 0 ? 0 : 400)
      previous = expected.members
      previousOrder = expected.names

      // Every other poll, 1% leave and as many arrive; in between, nothing changes but the order.
      if (poll % 2 === 0) {
        emulator.removeInjectedMany(handles.slice(0, 200))
        handles = [
          ...handles.slice(200),
          ...emulator.injectMany(
            Array.from({ length: 200 }, (_, i) => ({ channel: channel(100_000 * (poll + 1) + i) })),
          ),
        ]
      }
    }
  }, 120_000)
})
