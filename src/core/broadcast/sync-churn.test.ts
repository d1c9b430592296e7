import { describe, expect, it } from 'vitest'
import { churnByRoom } from './sync-churn.ts'

describe('churnByRoom', () => {
  it('counts each room’s joins and leaves with its size after the sync, null for a room that emptied', () => {
    const member = (room: string, user: string) => ({ room, group: null, user })
    expect(
      churnByRoom({
        joins: [member('hall', 'a'), member('hall', 'b'), member('den', 'c')],
        leaves: [member('hall', 'd'), member('attic', 'e')],
        rooms: [
          { room: 'hall', count: 7, groups: {} },
          { room: 'den', count: 1, groups: {} },
          { room: 'quiet', count: 4, groups: {} },
        ],
      }),
    ).toEqual([
      { room: 'hall', joins: 2, leaves: 1, count: 7 },
      { room: 'den', joins: 1, leaves: 0, count: 1 },
      { room: 'attic', joins: 0, leaves: 1, count: null },
    ])
    expect(churnByRoom({ joins: [], leaves: [], rooms: [] })).toEqual([])
  })
})
