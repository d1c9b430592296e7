import { describe, expect, it } from 'vitest'
import { type BroadcastSettings, DEFAULT_BROADCAST_SETTINGS } from '../../shared/broadcast.ts'
import { compileConvention, type NamingConvention } from '../../shared/naming.ts'
import { silentLogger } from '../logger.ts'
import type { Member, RoomSummary } from '../presence/types.ts'
import { AdaptivePrecision } from './adaptive-precision.ts'
import { BudgetQueue } from './budget-queue.ts'
import { EventPlanner, publishCost, type TickContext } from './event-planner.ts'
import { FriendGraph } from './friend-graph.ts'
import { MessageAccounting, type PricedOutgoing, type TickSpend } from './message-accounting.ts'
import { RoomChannels } from './room-channels.ts'
import { RosterTracker } from './rosters.ts'
import { SpendLedger } from './spend-ledger.ts'
import { SummaryTracker } from './summaries.ts'

const NOON = Date.UTC(2026, 2, 4, 12)

function setup(
  members: Member[],
  convention: NamingConvention = { kind: 'template', template: 'private-{room}-{user}' },
) {
  const rooms = (): RoomSummary[] => {
    const byRoom = new Map<string, RoomSummary>()
    for (const member of members) {
      const room = byRoom.get(member.room) ?? { room: member.room, count: 0, groups: {} }
      room.count++
      if (member.group !== null) room.groups[member.group] = (room.groups[member.group] ?? 0) + 1
      byRoom.set(member.room, room)
    }
    return [...byRoom.values()]
  }
  const presence = {
    rooms,
    room: (id: string) => rooms().find((room) => room.room === id),
    members: (room: string) => {
      const here = members.filter((member) => member.room === room)
      return { total: here.length, members: here.map(({ user, group }) => ({ user, group, since: 0 })) }
    },
  }
  const summaries = new SummaryTracker(() => 0.5)
  const rosters = new RosterTracker()
  const channels = new RoomChannels('{room}')
  const accounts = new MessageAccounting(SpendLedger.inMemory(silentLogger), NOON)
  const queue = new BudgetQueue()
  const planner = new EventPlanner({
    presence,
    now: () => NOON,
    convention: compileConvention(convention),
    summaries,
    rosters,
    channels,
    accounts,
    queue,
    precision: new AdaptivePrecision(),
  })
  return { planner, presence, summaries, rosters, channels, accounts, queue }
}

const tick = (settings: BroadcastSettings, eventBytes = 10_000): TickContext => ({
  settings,
  eventBytes,
  now: NOON,
  ts: NOON - 500,
})
const spend = (): TickSpend => ({ at: NOON, estimated: 0, accepted: 0, actual: 0 })
/** A tick's events (planned in one go: nothing can drop it). */
async function planOf(planner: EventPlanner, context: TickContext, spent: TickSpend): Promise<PricedOutgoing[]> {
  const events = await planner.plan(context, spent)
  if (events === null) throw new Error('the tick was dropped')
  return events
}
const people = (room: string, n: number, group: string | null = null): Member[] =>
  Array.from({ length: n }, (_, i) => ({ room, group, user: `${room}-${i}` }))

describe('EventPlanner', () => {
  it('plans one event per due room, marks first values, and counts a room as shown only once accepted', async () => {
    const { planner, summaries, channels } = setup([...people('hall', 3), ...people('bad room', 2)])
    const settings = { ...DEFAULT_BROADCAST_SETTINGS, countSubscribers: true }
    const events = await planOf(planner, tick(settings), spend())
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ channel: 'hall', name: 'occupancy', recipients: 3, first: true })
    expect(events[0]?.info).toBe('subscription_count')
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject({ room: 'hall', count: 3, ts: NOON - 500 })
    expect(channels.refusedChannels(5).count).toBe(1)
    expect(summaries.shown('hall')).toBeUndefined()
    events[0]?.accepted(null)
    expect(summaries.shown('hall')).toMatchObject({ count: 3, publishedAt: NOON })
    // Nothing changed: nothing due.
    expect(await planOf(planner, tick(settings), spend())).toEqual([])
    expect(publishCost(settings)).toBe(2)
  })

  it('splits a summary too big for one event and counts it once every part was accepted', async () => {
    const members = Array.from({ length: 400 }, (_, i) => ({ room: 'big', group: `group-${i}`, user: `u${i}` }))
    const { planner, accounts, summaries } = setup(members)
    const events = await planOf(planner, tick(DEFAULT_BROADCAST_SETTINGS, 2_000), spend())
    expect(events.length).toBeGreaterThan(1)
    for (const event of events.slice(0, -1)) event.accepted(null)
    expect(summaries.shown('big')).toBeUndefined()
    events.at(-1)?.accepted(null)
    expect(summaries.shown('big')).toMatchObject({ count: 400 })
    expect(accounts.splitEvents).toBe(1)
  })

  it('sends a changed roster to each present user’s own channel, and says why rosters can’t go', async () => {
    const members = [
      { room: 'hall', group: null, user: 'ann' },
      { room: 'hall', group: null, user: 'bob' },
    ]
    const { planner, rosters, presence, accounts } = setup(members)
    const settings = {
      ...DEFAULT_BROADCAST_SETTINGS,
      friends: { ...DEFAULT_BROADCAST_SETTINGS.friends, enabled: true },
    }
    expect(planner.rosterTemplate(settings)).toEqual({ template: null, unavailable: 'No friend graph imported' })
    rosters.setGraph(FriendGraph.fromPairs([['ann', 'bob']], true), presence)
    expect(planner.rosterTemplate(settings)).toEqual({ template: 'private-{room}-{user}', unavailable: null })
    const events = await planOf(planner, tick(settings), spend())
    const sent = events.filter((event) => event.name === 'friends')
    expect(sent.map((event) => event.channel).sort()).toEqual(['private-hall-ann', 'private-hall-bob'])
    for (const event of events) event.accepted(null)
    expect(accounts.rostersSent).toBe(2)
    const regex = setup(members, { kind: 'regex', pattern: '^private-(?<room>[a-z]+)-(?<user>[a-z]+)$' })
    regex.rosters.setGraph(FriendGraph.fromPairs([['ann', 'bob']], true), regex.presence)
    expect(regex.planner.rosterTemplate(settings).unavailable).toMatch(/regular expression/)
  })

  it('previews what a room would be sent, then what it was sent and how far that is off now', async () => {
    const members = people('hall', 3)
    const { planner } = setup(members)
    const settings = DEFAULT_BROADCAST_SETTINGS
    const before = planner.preview('hall', tick(settings))
    expect(before).toMatchObject({ room: 'hall', source: 'would-send', problem: null, shown: null })
    expect(before.events[0]).toMatchObject({ channel: 'hall', event: 'occupancy' })
    for (const event of await planOf(planner, tick(settings), spend())) event.accepted(null)
    members.push({ room: 'hall', group: null, user: 'late' })
    const after = planner.preview('hall', tick(settings))
    expect(after.source).toBe('sent')
    expect(after.shown).toMatchObject({ count: 3, countNow: 4, offBy: 1, waiting: null })
    expect(planner.preview('bad room', tick(settings)).problem).toMatch(/^Nothing is sent for this room: /)
  })
})
