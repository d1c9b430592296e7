// Friend rosters: for each present user with friends in the same room, the list of those friends, sent
// only when it changed. Only users in the friend graph are tracked, so memory follows the graph, not
// the crowd; a join or leave marks the rosters it can change (the user's own and their followers').
import type { Member, MembersPage, MembersQuery, RoomSummary } from '../presence/types.ts'
import type { FriendGraph } from './friend-graph.ts'

export interface PresenceReader {
  rooms(): RoomSummary[]
  room(id: string): RoomSummary | undefined
  members(room: string, query: MembersQuery): MembersPage
}

export interface PlannedRoster {
  room: string
  user: string
  group: string | null
  /** Friends present in the room, sorted. */
  friends: string[]
  key: string
}

const pairKey = (room: string, user: string): string => `${room}\n${user}`

export class RosterTracker {
  private graph: FriendGraph | null = null
  /** room → user → group, graph users only. */
  private present = new Map<string, Map<string, string | null>>()
  /** room → users whose roster may have changed. */
  private dirty = new Map<string, Set<string>>()
  /** Roster last accepted by the server, per (room, user). */
  private readonly sent = new Map<string, string>()

  get hasGraph(): boolean {
    return this.graph !== null
  }

  /** A new graph (or none): who is present is read again from the presence state. */
  setGraph(graph: FriendGraph | null, presence: PresenceReader): void {
    this.graph = graph
    this.present = new Map()
    this.dirty = new Map()
    if (graph === null) {
      this.sent.clear()
      return
    }
    for (const { room, count } of presence.rooms()) {
      const page = presence.members(room, { offset: 0, limit: count })
      for (const row of page.members) if (graph.has(row.user)) this.add(room, row.user, row.group)
    }
    for (const [room, users] of this.present) this.dirty.set(room, new Set(users.keys()))
  }

  /** Applies one sync's joins and leaves. */
  observe(joins: Iterable<Member>, leaves: Iterable<Member>): void {
    const graph = this.graph
    if (graph === null) return
    for (const member of leaves) {
      if (!graph.has(member.user)) continue
      this.present.get(member.room)?.delete(member.user)
      this.sent.delete(pairKey(member.room, member.user))
      this.dirty.get(member.room)?.delete(member.user)
      this.markFollowers(graph, member.room, member.user)
    }
    for (const member of joins) {
      if (!graph.has(member.user)) continue
      this.add(member.room, member.user, member.group)
      this.mark(member.room, member.user)
      this.markFollowers(graph, member.room, member.user)
    }
  }

  /** The user's friends in the room now, with their groups. */
  friendsIn(room: string, user: string): Array<{ user: string; group: string | null }> {
    const graph = this.graph
    const here = this.present.get(room)
    if (graph === null || here === undefined) return []
    const found: Array<{ user: string; group: string | null }> = []
    for (const friend of graph.friendsOf(user)) {
      const group = here.get(friend)
      if (group !== undefined) found.push({ user: friend, group })
    }
    return found.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
  }

  totalFriends(user: string): number {
    return this.graph?.friendsOf(user).length ?? 0
  }

  /** Rosters that changed since last sent (a user never sent an empty roster gets none). */
  plan(): PlannedRoster[] {
    const planned: PlannedRoster[] = []
    for (const [room, users] of this.dirty) {
      const here = this.present.get(room)
      for (const user of users) {
        const group = here?.get(user)
        if (group === undefined) {
          users.delete(user)
          continue
        }
        const friends = this.friendsIn(room, user).map((friend) => friend.user)
        const key = friends.join('\n')
        const before = this.sent.get(pairKey(room, user))
        if (before === key || (before === undefined && friends.length === 0)) {
          users.delete(user)
          continue
        }
        planned.push({ room, user, group, friends, key })
      }
      if (users.size === 0) this.dirty.delete(room)
    }
    return planned
  }

  /** The server accepted this roster. */
  commit(roster: PlannedRoster): void {
    this.sent.set(pairKey(roster.room, roster.user), roster.key)
    const users = this.dirty.get(roster.room)
    users?.delete(roster.user)
    if (users?.size === 0) this.dirty.delete(roster.room)
  }

  /** A roster that can never be sent (its channel name is invalid): stop planning it until it changes. */
  drop(roster: PlannedRoster): void {
    this.commit(roster)
  }

  private add(room: string, user: string, group: string | null): void {
    let here = this.present.get(room)
    if (here === undefined) {
      here = new Map()
      this.present.set(room, here)
    }
    here.set(user, group)
  }

  private mark(room: string, user: string): void {
    let users = this.dirty.get(room)
    if (users === undefined) {
      users = new Set()
      this.dirty.set(room, users)
    }
    users.add(user)
  }

  private markFollowers(graph: FriendGraph, room: string, user: string): void {
    const here = this.present.get(room)
    if (here === undefined) return
    for (const follower of graph.followersOf(user)) if (here.has(follower)) this.mark(room, follower)
    if (here.size === 0) this.present.delete(room)
  }
}
