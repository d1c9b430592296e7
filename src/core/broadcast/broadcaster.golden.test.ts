// What the broadcaster sends, request by request, for a fixed scenario: rooms changing, staying the
// same, falling due a heartbeat and emptying; a room too big for one event; rooms whose channel name
// Pusher would refuse; friend rosters; a 413 that turns out to be a limit on the request; a server error
// and its backoff. The batches are compared with a recorded golden file, so a change to planning,
// serialising or batching that alters a single byte sent fails here (performance work must not).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS, type BroadcastSettings } from '../../shared/broadcast.ts'
import { compileConvention } from '../../shared/naming.ts'
import type { BatchEvent, RequestOptions } from '../channels/client.ts'
import { ChannelsApiError, failureFromStatus } from '../channels/errors.ts'
import { silentLogger } from '../logger.ts'
import type { Member, MembersPage, RoomSummary } from '../presence/types.ts'
import { Broadcaster } from './broadcaster.ts'
import type { BatchSink } from './delivery.ts'
import { FriendGraph } from './friend-graph.ts'
import type { Marker } from './marker.ts'

const INTERVAL_MS = 1000

/** Rooms and members of one step of the scenario. */
interface Step {
  members: Member[]
  /** How the fake server answers this step's requests. */
  server?: 'ok' | 'refuse-over-3-events' | 'error-500'
}

const ordinaryRooms = (step: number): Member[] => {
  const members: Member[] = []
  for (let room = 0; room < 23; room++) {
    // Some rooms change at every step, some every other step, some never.
    const size = 2 + (room % 3 === 0 ? step % 4 : room % 3 === 1 ? (step >> 1) % 2 : 0)
    for (let user = 0; user < size; user++)
      members.push({ room: `r${String(room).padStart(2, '0')}`, group: user % 2 ? 'red' : 'blue', user: `p${user}` })
  }
  return members
}

/** A room with 600 groups of long names: far over 10 KB in one event, so it is split. */
const bigRoom = (extra: number): Member[] =>
  Array.from({ length: 600 + extra }, (_, index) => ({
    room: 'big',
    group: `a-group-with-a-rather-long-name-${String(index).padStart(4, '0')}`,
    user: `b${index}`,
  }))

const friends = (step: number): Member[] => {
  // u1, u2, u3 arrive one per step in r01, then u2 leaves.
  const here = ['u1', 'u2', 'u3'].slice(0, Math.min(3, step + 1)).filter((user) => !(step >= 4 && user === 'u2'))
  return here.map((user) => ({ room: 'r01', group: 'red', user }))
}

const invalid: Member[] = [
  { room: 'bad room', group: 'red', user: 'x' },
  { room: 'café', group: 'red', user: 'y' },
]

const steps: Step[] = [
  { members: [...ordinaryRooms(0), ...bigRoom(0), ...friends(0), ...invalid] },
  { members: [...ordinaryRooms(1), ...bigRoom(0), ...friends(1), ...invalid] },
  { members: [...ordinaryRooms(2), ...bigRoom(1), ...friends(2), ...invalid], server: 'refuse-over-3-events' },
  { members: [...ordinaryRooms(3), ...bigRoom(1), ...friends(3), ...invalid] },
  // The big room and the invalid ones empty; r22 too.
  { members: [...ordinaryRooms(4).filter((member) => member.room !== 'r22'), ...friends(4)] },
  { members: [...ordinaryRooms(5), ...friends(5)], server: 'error-500' },
  { members: [...ordinaryRooms(6), ...friends(6)] },
  { members: [...ordinaryRooms(7), ...friends(7)] },
  // Nothing changes from here: only heartbeats fall due.
  { members: [...ordinaryRooms(7), ...friends(7)] },
  { members: [...ordinaryRooms(7), ...friends(7)] },
  { members: [...ordinaryRooms(7), ...friends(7)] },
  { members: [...ordinaryRooms(7), ...friends(7)] },
]

function summaries(members: readonly Member[]): RoomSummary[] {
  const rooms = new Map<string, RoomSummary>()
  for (const member of members) {
    let room = rooms.get(member.room)
    if (room === undefined) {
      room = { room: member.room, count: 0, groups: {} }
      rooms.set(member.room, room)
    }
    room.count++
    if (member.group !== null) room.groups[member.group] = (room.groups[member.group] ?? 0) + 1
  }
  return [...rooms.values()].sort((a, b) => b.count - a.count || (a.room < b.room ? -1 : 1))
}

const key = (member: Member) => `${member.room}\n${member.user}`

interface Sent {
  step: number
  answer: 'accepted' | 'refused'
  batch: BatchEvent[]
}

describe('the broadcaster, request by request', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends exactly the recorded batches for a fixed scenario', async () => {
    let clock = 1_000_000
    let step = 0
    let members: Member[] = steps[0]?.members ?? []
    const sent: Sent[] = []
    const sink: BatchSink = {
      triggerBatch(batch: readonly BatchEvent[], _options: RequestOptions): Promise<string> {
        const server = steps[step]?.server ?? 'ok'
        const refuse =
          (server === 'refuse-over-3-events' && batch.length > 3) || (server === 'error-500' && batch.length > 0)
        // A copy, so that nothing the broadcaster does later to its objects changes what was recorded.
        sent.push({ step, answer: refuse ? 'refused' : 'accepted', batch: batch.map((event) => ({ ...event })) })
        if (!refuse) return Promise.resolve('{}')
        const status = server === 'error-500' ? 500 : 413
        return Promise.reject(new ChannelsApiError(failureFromStatus(status, 'refused', 'http://fake')))
      },
    }
    const presence = {
      rooms: () => summaries(members),
      room: (id: string) => summaries(members).find((room) => room.room === id),
      members: (room: string): MembersPage => {
        const here = members.filter((member) => member.room === room)
        return {
          total: here.length,
          members: here.map((member) => ({ user: member.user, group: member.group, since: 0 })),
        }
      },
    }
    const marker: Marker = {
      id: 'test',
      state: 'off',
      othersLive: [],
      othersNow: async () => [],
      hold() {},
      release() {},
    }
    const settings: BroadcastSettings = {
      ...DEFAULT_BROADCAST_SETTINGS,
      enabled: true,
      force: true,
      intervalMs: INTERVAL_MS,
      heartbeatMs: 4000,
      concurrency: 3,
      friends: { enabled: true, eventName: 'friends', channelTemplate: null },
    }
    const broadcaster = new Broadcaster({
      presence,
      sink,
      marker,
      convention: compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' }),
      settings,
      graph: FriendGraph.fromPairs(
        [
          ['u1', 'u2'],
          ['u2', 'u3'],
        ],
        true,
      ),
      endpoint: 'http://fake',
      timeoutMs: 10_000,
      logger: silentLogger,
      onStatus: () => {},
      now: () => clock,
      random: () => 0.25,
    })

    let previous = new Map<string, Member>()
    for (step = 0; step < steps.length; step++) {
      members = steps[step]?.members ?? []
      const present = new Map(members.map((member) => [key(member), member]))
      broadcaster.observe({
        at: clock,
        channels: members.length,
        unmatched: 0,
        joins: members.filter((member) => !previous.has(key(member))),
        leaves: [...previous.values()].filter((member) => !present.has(key(member))),
        rooms: summaries(members),
        total: members.length,
      })
      previous = present
      if (step === 0) await broadcaster.configure(settings)
      await vi.advanceTimersByTimeAsync(step === 0 ? 0 : INTERVAL_MS)
      clock += INTERVAL_MS
    }
    await broadcaster.close()

    const status = broadcaster.status()
    expect(status.splitEvents).toBeGreaterThan(0)
    expect(status.invalidChannels.count).toBe(2)
    expect(sent.some((request) => request.answer === 'refused')).toBe(true)
    // Each request on one line: a difference shows which request and which event changed.
    const lines = sent.map((request) => JSON.stringify(request)).join('\n')
    await expect(`${lines}\n`).toMatchFileSnapshot('./__golden__/broadcaster-batches.jsonl')
  })
})
