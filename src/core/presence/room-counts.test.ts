import { describe, expect, it } from 'vitest'
import { RoomCounts } from './room-counts.ts'

const encoder = new TextEncoder()

/** placeOf for a room and group (null for none) given as strings, read from the middle of a larger buffer. */
function place(counts: RoomCounts, room: string, group: string | null): number {
  const bytes = encoder.encode(`>${room}|${group ?? ''}<`)
  const roomEnd = 1 + room.length
  return group === null
    ? counts.placeOf(bytes, 1, roomEnd, -1, -1)
    : counts.placeOf(bytes, 1, roomEnd, roomEnd + 1, roomEnd + 1 + group.length)
}

describe('RoomCounts places', () => {
  it('tells apart rooms and groups whose bytes run together, and finds each place again', () => {
    const counts = new RoomCounts()
    const named: Array<[string, string | null]> = [
      ['ab', 'c'],
      ['a', 'bc'],
      ['abc', null],
      ['ab', null],
      ['ab', 'd'],
      ['a', 'c'],
    ]
    const places = named.map(([room, group]) => place(counts, room, group))
    expect(new Set(places).size).toBe(named.length)
    const rooms = places.map((p) => counts.placeRoom(p))
    // Rooms by name: ab, a, abc.
    expect(rooms[0]).toBe(rooms[3])
    expect(rooms[0]).toBe(rooms[4])
    expect(rooms[1]).toBe(rooms[5])
    expect(new Set(rooms).size).toBe(3)
    expect(rooms.map((r) => counts.roomNameOf(r))).toEqual(['ab', 'a', 'abc', 'ab', 'ab', 'a'])
    const pairs = places.map((p) => counts.placePair(p))
    expect(pairs[2]).toBe(-1)
    expect(pairs[3]).toBe(-1)
    expect(pairs.map((p) => counts.groupNameOf(p))).toEqual(['c', 'bc', null, null, 'd', 'c'])
    // Room a's pair for c is not room ab's.
    expect(pairs[5]).not.toBe(pairs[0])
    named.forEach(([room, group], i) => expect(place(counts, room, group)).toBe(places[i]))
  })

  it('finds the right place when places share a remembered slot, outnumber the slots or have long names', () => {
    const counts = new RoomCounts()
    // Same lengths, same last four room bytes, same first group byte: the same remembered slot.
    const alike: Array<[string, string | null]> = [
      ['a1234', 'red'],
      ['b1234', 'red'],
      ['a1234', 'rex'],
      ['b1234', 'rex'],
    ]
    // More places than slots, and keys too long to be remembered.
    const many: Array<[string, string | null]> = []
    for (let room = 0; room < 6_000; room++)
      for (const group of ['players', 'red', 'blue', null]) many.push([`room${room}`, group])
    const long = 'a-room-whose-name-is-far-too-long-for-the-record'
    many.push([long, 'players'], [`${long}!`, 'players'], [long, null])
    const named = [...alike, ...many]
    const first = named.map(([room, group]) => place(counts, room, group))
    expect(new Set(first).size).toBe(named.length)
    // Again, in another order (each lookup now may meet the slot another place left).
    for (let i = named.length - 1; i >= 0; i--) {
      const [room, group] = named[i] as [string, string | null]
      expect(place(counts, room, group)).toBe(first[i])
    }
    first.forEach((p, i) => {
      const [room, group] = named[i] as [string, string | null]
      expect(counts.roomNameOf(counts.placeRoom(p))).toBe(room)
      expect(counts.groupNameOf(counts.placePair(p))).toBe(group)
    })
  })

  it('counts people per room and per group through places', () => {
    const counts = new RoomCounts()
    for (const [room, group] of [
      ['lobby', 'red'],
      ['lobby', 'red'],
      ['lobby', 'blue'],
      ['lobby', null],
      ['hall', 'red'],
    ] as Array<[string, string | null]>) {
      const p = place(counts, room, group)
      counts.add(counts.placeRoom(p), counts.placePair(p), 1)
    }
    expect(counts.rooms()).toEqual([
      { room: 'lobby', count: 4, groups: { red: 2, blue: 1 } },
      { room: 'hall', count: 1, groups: { red: 1 } },
    ])
    expect(counts.findGroup('red')).toBeGreaterThanOrEqual(0)
    expect(counts.findGroup('green')).toBe(-1)
  })
})
