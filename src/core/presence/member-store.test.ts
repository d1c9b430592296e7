import { describe, expect, it } from 'vitest'
import { MemberStore } from './member-store.ts'

const encoder = new TextEncoder()

/** obtainBytes for a member named by strings (group null for none), read from the middle of a larger buffer. */
function obtain(store: MemberStore, room: string, group: string | null, user: string): number {
  const bytes = encoder.encode(`>${room}|${group ?? ''}|${user}<`)
  const roomEnd = 1 + room.length
  const groupStart = roomEnd + 1
  const groupEnd = groupStart + (group?.length ?? 0)
  const userStart = groupEnd + 1
  return store.obtainBytes(
    bytes,
    1,
    roomEnd,
    group === null ? -1 : groupStart,
    group === null ? -1 : groupEnd,
    userStart,
    userStart + user.length,
  )
}

describe('MemberStore', () => {
  it('keeps the room and group of the channel that created a member, in its counts, objects and pages', () => {
    const store = new MemberStore()
    const ann = obtain(store, 'lobby', 'red', 'ann')
    const bob = obtain(store, 'lobby', null, 'bob')
    const cy = obtain(store, 'hall', 'blue', 'cy')
    // Ann named again from another group's channel: the same member, still in red.
    expect(obtain(store, 'lobby', 'blue', 'ann')).toBe(ann)
    for (const id of [ann, bob, cy]) store.activate(id, 1_000)
    expect(store.memberObject(ann)).toEqual({ room: 'lobby', group: 'red', user: 'ann' })
    expect(store.memberObject(bob)).toEqual({ room: 'lobby', group: null, user: 'bob' })
    expect(store.memberObject(cy)).toEqual({ room: 'hall', group: 'blue', user: 'cy' })
    expect(store.rooms()).toEqual([
      { room: 'lobby', count: 2, groups: { red: 1 } },
      { room: 'hall', count: 1, groups: { blue: 1 } },
    ])
    expect(store.members('lobby', { offset: 0, limit: 10 }).members).toEqual([
      { user: 'ann', group: 'red', since: 1_000 },
      { user: 'bob', group: null, since: 1_000 },
    ])
    expect(store.members('lobby', { offset: 0, limit: 10, group: 'red' }).total).toBe(1)
    store.deactivate(ann)
    expect(store.rooms()).toEqual([
      { room: 'hall', count: 1, groups: { blue: 1 } },
      { room: 'lobby', count: 1, groups: {} },
    ])
    // Gone once nothing names it (two channel entries named Ann); the room list closes over the gap.
    store.unlink(ann)
    store.unlink(ann)
    expect(store.findMember(store.findRoom('lobby'), 'ann')).toBe(-1)
    expect(store.members('lobby', { offset: 0, limit: 10 }).members.map((row) => row.user)).toEqual(['bob'])
  })

  it('marks a member once per snapshot generation, a new generation starting unmarked', () => {
    const store = new MemberStore()
    const ids = Array.from({ length: 20 }, (_, i) => obtain(store, 'lobby', null, `u${i}`))
    expect(ids.map((id) => store.markOnce(id, 1))).toEqual(ids.map(() => true))
    expect(ids.map((id) => store.markOnce(id, 1))).toEqual(ids.map(() => false))
    // Generation 2: only the members marked in it count as marked.
    expect(store.markOnce(ids[3] as number, 2)).toBe(true)
    expect(store.markOnce(ids[3] as number, 2)).toBe(false)
    expect(store.markOnce(ids[4] as number, 2)).toBe(true)
    // Members added while a generation is being marked (a webhook during a snapshot's preparation),
    // far past the ids there were when it began.
    const later = Array.from({ length: 5000 }, (_, i) => obtain(store, 'hall', 'red', `v${i}`))
    expect(later.every((id) => store.markOnce(id, 2))).toBe(true)
    expect(later.some((id) => store.markOnce(id, 2))).toBe(false)
    expect(store.markOnce(ids[3] as number, 2)).toBe(false)
    expect(store.markOnce(ids[5] as number, 2)).toBe(true)
    // And a generation after that, with more members than the marks were first sized for.
    expect([...ids, ...later].every((id) => store.markOnce(id, 3))).toBe(true)
  })

  it('finds members obtained a batch at a time by name, as the same ids one at a time give', () => {
    const names = Array.from({ length: 300 }, (_, i) => ({
      room: `room${i % 7}`,
      group: i % 3 === 0 ? null : `g${i % 5}`,
      user: i % 2 === 0 ? `u${i}` : `a-much-longer-user-id-${i}`,
    }))
    let text = ''
    const bounds = new Int32Array(names.length * 6)
    names.forEach(({ room, group, user }, i) => {
      const roomStart = text.length
      text += `${room}|`
      let groupStart = -1
      let groupEnd = -1
      if (group !== null) {
        groupStart = text.length
        text += group
        groupEnd = text.length
      }
      text += '|'
      const userStart = text.length
      text += `${user};`
      bounds.set([roomStart, roomStart + room.length, groupStart, groupEnd, userStart, userStart + user.length], i * 6)
    })
    const batched = new MemberStore()
    const ids = new Int32Array(names.length)
    batched.obtainMany(encoder.encode(text), bounds, names.length, ids)
    const single = new MemberStore()
    expect([...ids]).toEqual(names.map(({ room, group, user }) => obtain(single, room, group, user)))
    names.forEach(({ room, group, user }, i) => {
      expect(batched.findMember(batched.findRoom(room), user)).toBe(ids[i])
      expect(batched.groupOf(ids[i] as number)).toBe(group)
    })
  })
})
