import { describe, expect, it } from 'vitest'
import type { BroadcastPreview, FriendsOf, FriendsSummary } from '../../../shared/broadcast.ts'
import { ApiError } from '../../../shared/envelope.ts'
import { createAppStore } from './app-store.ts'
import { deferred, fakeApi } from './test-api.ts'

const EMPTY_GRAPH: FriendsSummary = { users: 0, edges: 0, mutual: true, importedAt: null }
const GRAPH: FriendsSummary = { users: 3, edges: 4, mutual: true, importedAt: '2026-01-01T00:00:00.000Z' }

function preview(room: string): BroadcastPreview {
  return {
    room,
    events: [{ channel: room, event: 'occupancy', data: '{}', bytes: 2 }],
    source: 'would-send',
    problem: null,
    shown: null,
  }
}

describe('app store: broadcast slice', () => {
  it("keeps each connection's friend graph, and why it could not be read", async () => {
    const { api } = fakeApi({
      'friends.get': (input) => {
        if ((input as { id: string }).id === 'gone') throw new ApiError('failed', 'No saved connection with id gone')
        return GRAPH
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().loadFriendGraph('a')
    await store.getState().loadFriendGraph('gone')
    expect(store.getState().friendGraphs.get('a')).toEqual({ ok: true, value: GRAPH })
    expect(store.getState().friendGraphs.get('gone')).toEqual({
      ok: false,
      error: { code: 'failed', message: 'No saved connection with id gone' },
    })
  })

  it('reads the graph again after an import, but not after a file refused for its rows', async () => {
    let graph = EMPTY_GRAPH
    const refused = { ok: false, errorCount: 1, errors: [{ line: 2, message: 'A row needs two cells' }] }
    const { api, call } = fakeApi({
      'friends.get': () => graph,
      'friends.import': (input) => {
        if ((input as { csv: string }).csv.includes('bad')) return refused
        graph = GRAPH
        return { ok: true, users: 3, edges: 4 }
      },
    })
    const store = createAppStore(api, 'open')
    expect(await store.getState().importFriends('a', 'bad', true)).toEqual({ ok: true, value: refused })
    expect(call.mock.calls.filter(([method]) => method === 'friends.get')).toHaveLength(0)
    expect(await store.getState().importFriends('a', 'ana,bo\n', true)).toMatchObject({ ok: true, value: { ok: true } })
    expect(store.getState().friendGraphs.get('a')).toEqual({ ok: true, value: GRAPH })
  })

  it('forgets a graph with the summary the engine answers', async () => {
    const { api } = fakeApi({ 'friends.get': () => GRAPH, 'friends.clear': () => EMPTY_GRAPH })
    const store = createAppStore(api, 'open')
    await store.getState().loadFriendGraph('a')
    expect(await store.getState().clearFriends('a')).toEqual({ ok: true, value: EMPTY_GRAPH })
    expect(store.getState().friendGraphs.get('a')).toEqual({ ok: true, value: EMPTY_GRAPH })
  })

  it('keeps the payload preview of the room asked last, whatever order the replies come in', async () => {
    const slow = deferred<BroadcastPreview>()
    const { api } = fakeApi({
      'broadcast.preview': (input) => {
        const { room } = input as { room: string }
        return room === 'lobby' ? slow.promise : preview(room)
      },
    })
    const store = createAppStore(api, 'open')
    const first = store.getState().loadPayloadPreview('lobby')
    await store.getState().loadPayloadPreview('stage')
    slow.resolve(preview('lobby'))
    await first
    expect(store.getState().payloadPreview).toEqual({ room: 'stage', outcome: { ok: true, value: preview('stage') } })
  })

  it("keeps the latest friends-in-room answer with its room and user, or the engine's refusal", async () => {
    const found: FriendsOf = { room: 'lobby', user: 'ana', total: 2, friends: [{ user: 'bo', group: null }] }
    const { api } = fakeApi({
      'friends.of': (input) => {
        if ((input as { user: string }).user === 'nobody') throw new ApiError('failed', 'Not broadcasting')
        return found
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().loadFriendsOf('lobby', 'ana')
    expect(store.getState().friendsOf).toEqual({ room: 'lobby', user: 'ana', outcome: { ok: true, value: found } })
    await store.getState().loadFriendsOf('lobby', 'nobody')
    expect(store.getState().friendsOf).toEqual({
      room: 'lobby',
      user: 'nobody',
      outcome: { ok: false, error: { code: 'failed', message: 'Not broadcasting' } },
    })
  })
})
