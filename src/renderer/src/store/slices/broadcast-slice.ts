import type { BroadcastPreview, FriendsImportResult, FriendsOf, FriendsSummary } from '../../../../shared/broadcast.ts'
import { attempt, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'

/** The answer for one room (and user), kept with what it answers so a view can tell it is its own. */
export interface PayloadPreviewAnswer {
  room: string
  outcome: Outcome<BroadcastPreview>
}
export interface FriendsOfAnswer {
  room: string
  user: string
  outcome: Outcome<FriendsOf>
}

/**
 * What the engine knows about broadcasting beyond a profile's settings (those are in the profiles
 * slice): each connection's friend graph, the exact payload for a room, and a user's friends in a room.
 */
export interface BroadcastSlice {
  /** Each connection's friend graph, summarised, or why it could not be read; absent until loaded. */
  friendGraphs: Map<string, Outcome<FriendsSummary>>
  loadFriendGraph(id: string): Promise<void>
  /** Replaces the graph from CSV; a file with bad rows is refused whole and the answer lists them. */
  importFriends(id: string, csv: string, mutual: boolean): Promise<Outcome<FriendsImportResult>>
  clearFriends(id: string): Promise<Outcome<FriendsSummary>>
  /** The latest payload preview asked for (the connected profile's broadcaster, now). */
  payloadPreview: PayloadPreviewAnswer | null
  loadPayloadPreview(room: string): Promise<void>
  /** The latest "which of this user's friends are in the room" asked for. */
  friendsOf: FriendsOfAnswer | null
  loadFriendsOf(room: string, user: string): Promise<void>
}

export const createBroadcastSlice: SliceCreator<BroadcastSlice> = (set, get, api) => {
  // Replies may come back out of order; only the latest question of each kind is answered.
  const latest = { preview: 0, friendsOf: 0 }
  const setGraph = (id: string, outcome: Outcome<FriendsSummary>) =>
    set({ friendGraphs: new Map(get().friendGraphs).set(id, outcome) })

  return {
    friendGraphs: new Map(),
    async loadFriendGraph(id) {
      setGraph(id, await attempt(() => api.call('friends.get', { id })))
    },
    async importFriends(id, csv, mutual) {
      const outcome = await attempt(() => api.call('friends.import', { id, csv, mutual }))
      if (outcome.ok && outcome.value.ok) await get().loadFriendGraph(id)
      return outcome
    },
    async clearFriends(id) {
      const outcome = await attempt(() => api.call('friends.clear', { id }))
      if (outcome.ok) setGraph(id, outcome)
      return outcome
    },
    payloadPreview: null,
    async loadPayloadPreview(room) {
      const request = ++latest.preview
      const outcome = await attempt(() => api.call('broadcast.preview', { room }))
      if (request === latest.preview) set({ payloadPreview: { room, outcome } })
    },
    friendsOf: null,
    async loadFriendsOf(room, user) {
      const request = ++latest.friendsOf
      const outcome = await attempt(() => api.call('friends.of', { room, user }))
      if (request === latest.friendsOf) set({ friendsOf: { room, user, outcome } })
    },
  }
}
