import { describe, expect, it } from 'vitest'
import { isValidChannelName } from '../../shared/channel-names.ts'
import { channelName, groupNamesProblem, isValidId, userId, userIdWidth } from './naming.ts'
import { Population } from './population.ts'

/** The convention's parser, as the engine will apply it: split on the separator, nothing else. */
function parse(channel: string, grouped: boolean): { room: string; group?: string; user: string } | null {
  const parts = channel.split('-')
  if (parts[0] !== 'private') return null
  if (grouped) return parts.length === 4 ? { room: parts[1]!, group: parts[2]!, user: parts[3]! } : null
  return parts.length === 3 ? { room: parts[1]!, user: parts[2]! } : null
}

describe('naming', () => {
  it('makes fixed-width user ids that widen for big populations', () => {
    expect(userId(123, userIdWidth(1000))).toBe('u000123')
    expect(userIdWidth(1_000_000)).toBe(6)
    expect(userIdWidth(1_000_001)).toBe(7)
    expect(userId(1_000_000, userIdWidth(1_250_000))).toBe('u1000000')
  })

  it('checks channel names against Pusher rules', () => {
    expect(isValidChannelName(channelName('room1', 'red', 'u000001'))).toBe(true)
    expect(isValidChannelName('private-a b')).toBe(false)
    expect(isValidChannelName('x'.repeat(165))).toBe(false)
    expect(isValidChannelName('x'.repeat(164))).toBe(true)
    expect(isValidId('a-b')).toBe(false)
    expect(isValidId('a,b')).toBe(false)
    expect(isValidId('team_1.x')).toBe(true)
  })

  it('explains bad group lists', () => {
    expect(groupNamesProblem(['red', 'blue'])).toBeNull()
    expect(groupNamesProblem([])).toMatch(/at least one/)
    expect(groupNamesProblem(['red-team'])).toMatch(/red-team/)
    expect(groupNamesProblem(['red', 'red'])).toMatch(/twice/)
    expect(groupNamesProblem(['x'.repeat(65)])).toMatch(/longer than 64/)
  })
})

describe('Population', () => {
  it('gives every user a valid, unambiguous channel', () => {
    const population = new Population({ users: 2000, rooms: 30, seed: 5 })
    const seen = new Set<string>()
    for (let u = 0; u < population.size; u++) {
      const channel = population.channel(u)
      expect(isValidChannelName(channel)).toBe(true)
      expect(parse(channel, false)).toEqual({ room: population.roomOf(u), user: population.userId(u) })
      seen.add(channel)
    }
    expect(seen.size).toBe(2000)
  })

  it('adds the group segment when groups are given', () => {
    const population = new Population({ users: 3000, rooms: 5, groups: ['red', 'blue', 'green'], seed: 5 })
    const perGroup = new Map<string, number>()
    for (let u = 0; u < population.size; u++) {
      const parsed = parse(population.channel(u), true)
      expect(parsed).not.toBeNull()
      expect(parsed!.group).toBe(population.groupOf(u))
      perGroup.set(parsed!.group!, (perGroup.get(parsed!.group!) ?? 0) + 1)
    }
    // Uniform by default: each group near a third.
    for (const group of ['red', 'blue', 'green']) expect(Math.abs(perGroup.get(group)! - 1000)).toBeLessThan(150)
  })

  it('skews groups when asked', () => {
    const population = new Population({ users: 3000, rooms: 5, groups: ['big', 'small'], groupSkew: 2, seed: 5 })
    const big = population.group.filter((g) => g === 0).length
    expect(big).toBeGreaterThan(2000)
  })

  it('puts a share of users on two devices', () => {
    const population = new Population({ users: 10_000, rooms: 5, twoDeviceShare: 0.1, seed: 5 })
    const two = population.devices.filter((d) => d === 2).length
    expect(two).toBeGreaterThan(800)
    expect(two).toBeLessThan(1200)
    expect(population.devices.every((d) => d === 1 || d === 2)).toBe(true)
  })

  it('is the same for the same seed and different for another', () => {
    const a = new Population({ users: 1000, rooms: 10, groups: ['x', 'y'], seed: 11 })
    const b = new Population({ users: 1000, rooms: 10, groups: ['x', 'y'], seed: 11 })
    const c = new Population({ users: 1000, rooms: 10, groups: ['x', 'y'], seed: 12 })
    expect(a.homeRoom).toEqual(b.homeRoom)
    expect(a.group).toEqual(b.group)
    expect(a.homeRoom).not.toEqual(c.homeRoom)
  })

  it('refuses impossible shapes', () => {
    expect(() => new Population({ users: 10, rooms: 0, seed: 1 })).toThrow(RangeError)
    expect(() => new Population({ users: -1, rooms: 1, seed: 1 })).toThrow(RangeError)
    expect(() => new Population({ users: 10, rooms: 1, groups: ['a-b'], seed: 1 })).toThrow(/a-b/)
    expect(() => new Population({ users: 10, rooms: 1, twoDeviceShare: 2, seed: 1 })).toThrow(RangeError)
  })
})
