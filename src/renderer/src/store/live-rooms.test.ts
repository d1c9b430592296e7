import { describe, expect, it } from 'vitest'
import type { RoomSummaryView } from '../../../shared/presence.ts'
import { LiveRooms } from './live-rooms.ts'

const room = (name: string, count: number, groups: Record<string, number> = {}): RoomSummaryView => ({
  room: name,
  count,
  groups,
})

describe('LiveRooms', () => {
  it('reads like a map of the rooms', () => {
    const a = room('a', 1)
    const live = LiveRooms.of([a, room('b', 2)])
    expect(live.size).toBe(2)
    expect(live.get('a')).toBe(a)
    expect(live.has('b')).toBe(true)
    expect(live.has('c')).toBe(false)
    expect([...live.keys()]).toEqual(['a', 'b'])
    expect([...live.values()].map((r) => r.count)).toEqual([1, 2])
    expect(new Map(live)).toEqual(new Map([...live.entries()]))
    const seen: string[] = []
    live.forEach((value, key) => seen.push(`${key}=${value.count}`))
    expect(seen).toEqual(['a=1', 'b=2'])
    expect(LiveRooms.empty().size).toBe(0)
  })

  it('patches in place into a new view, and keeps the same view when nothing differs', () => {
    const a = room('a', 1, { red: 1 })
    const live = LiveRooms.of([a, room('b', 2)])
    expect(live.patched([], [])).toBe(live)
    // An equal summary, a removal of a room not there: nothing changes, the summary held stays.
    expect(live.patched([room('a', 1, { red: 1 })], ['nowhere'])).toBe(live)
    expect(live.get('a')).toBe(a)
    const next = live.patched([room('a', 1, { blue: 1 }), room('c', 3)], ['b'])
    expect(next).not.toBe(live)
    expect(next.version).toBe(live.version + 1)
    expect([...next.values()]).toEqual([room('a', 1, { blue: 1 }), room('c', 3)])
  })

  it('says which rooms changed since an earlier view, with the summaries that view had', () => {
    const a = room('a', 1)
    const b = room('b', 2)
    const first = LiveRooms.of([a, b])
    const second = first.patched([room('a', 5)], [])
    const third = second.patched([room('a', 6), room('c', 1)], ['b'])
    expect(third.changesSince(third)).toEqual(new Map())
    expect(third.changesSince(second)).toEqual(
      new Map([
        ['a', room('a', 5)],
        ['c', undefined],
        ['b', b],
      ]),
    )
    const fromFirst = third.changesSince(first)
    expect(fromFirst?.get('a')).toBe(a)
    expect(fromFirst).toEqual(
      new Map([
        ['a', a],
        ['c', undefined],
        ['b', b],
      ]),
    )
    // An earlier view can still say what changed up to itself, not after.
    expect(second.changesSince(first)).toEqual(new Map([['a', a]]))
    expect(first.changesSince(third)).toBeNull()
  })

  it('does not say what changed across tables, or further back than it keeps', () => {
    const first = LiveRooms.of([room('a', 1)])
    expect(first.changesSince(LiveRooms.of([room('a', 1)]))).toBeNull()
    let live = first
    for (let count = 2; count < 40; count++) live = live.patched([room('a', count)], [])
    expect(live.changesSince(first)).toBeNull()
  })

  it('can only be patched from its latest view, so no patch is lost', () => {
    const first = LiveRooms.of([room('a', 1)])
    first.patched([room('a', 2)], [])
    expect(() => first.patched([room('a', 3)], [])).toThrow(/latest view/)
  })
})
