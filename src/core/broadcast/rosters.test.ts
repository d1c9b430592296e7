import { describe, expect, it } from 'vitest'
import type { Member, MembersQuery, RoomSummary } from '../presence/types.ts'
import { FriendGraph } from './friend-graph.ts'
import { type PresenceReader, RosterTracker } from './rosters.ts'

function presenceOf(members: Member[]): PresenceReader {
  const rooms = () => {
    const counts = new Map<string, number>()
    for (const member of members) counts.set(member.room, (counts.get(member.room) ?? 0) + 1)
    return [...counts].map(([room, count]): RoomSummary => ({ room, count, groups: {} }))
  }
  return {
    rooms,
    room: (id) => rooms().find((summary) => summary.room === id),
    members: (room: string, query: MembersQuery) => {
      const here = members.filter((member) => member.room === room)
      return {
        total: here.length,
        members: here
          .slice(query.offset, query.offset + query.limit)
          .map((m) => ({ user: m.user, group: m.group, since: 0 })),
      }
    },
  }
}

const m = (room: string, user: string, group: string | null = null): Member => ({ room, user, group })
const rostersOf = (tracker: RosterTracker) => {
  const planned = tracker.plan()
  for (const roster of planned) tracker.commit(roster)
  return Object.fromEntries(planned.map((roster) => [`${roster.room}/${roster.user}`, roster.friends]))
}

describe('RosterTracker', () => {
  const graph = FriendGraph.fromPairs(
    [
      ['ana', 'ben'],
      ['ana', 'cy'],
      ['ben', 'ana'],
      ['dee', 'ana'],
    ],
    false,
  )

  it('starts from who is present, and only users with friends present get a roster', () => {
    const tracker = new RosterTracker()
    tracker.setGraph(graph, presenceOf([m('lobby', 'ana'), m('lobby', 'ben'), m('lobby', 'zed'), m('stage', 'cy')]))
    expect(rostersOf(tracker)).toEqual({ 'lobby/ana': ['ben'], 'lobby/ben': ['ana'] })
    expect(rostersOf(tracker)).toEqual({})
  })

  it('updates the rosters a join or leave changes, and clears a roster whose last friend left', () => {
    const tracker = new RosterTracker()
    tracker.setGraph(graph, presenceOf([m('lobby', 'ana'), m('lobby', 'ben')]))
    rostersOf(tracker)
    tracker.observe([m('lobby', 'cy', 'red'), m('lobby', 'dee')], [])
    expect(rostersOf(tracker)).toEqual({ 'lobby/ana': ['ben', 'cy'], 'lobby/dee': ['ana'] })
    expect(tracker.friendsIn('lobby', 'ana')).toEqual([
      { user: 'ben', group: null },
      { user: 'cy', group: 'red' },
    ])
    tracker.observe([], [m('lobby', 'ana')])
    expect(rostersOf(tracker)).toEqual({ 'lobby/ben': [], 'lobby/dee': [] })
    // Friends in another room are not in this room's roster.
    tracker.observe([m('stage', 'ana')], [])
    expect(rostersOf(tracker)).toEqual({})
  })

  it('keeps a roster pending until the server accepted it', () => {
    const tracker = new RosterTracker()
    tracker.setGraph(graph, presenceOf([m('lobby', 'ana'), m('lobby', 'ben')]))
    expect(tracker.plan()).toHaveLength(2)
    expect(tracker.plan()).toHaveLength(2)
  })
})
