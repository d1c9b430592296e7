import { describe, expect, it } from 'vitest'
import { Crowd } from './crowd.ts'
import { InjectedCrowdDriver, type InjectedMember, type InjectionTarget } from './injected-driver.ts'

/** An in-memory stand-in for the emulator: channel → number of injected connections. */
class FakeTarget implements InjectionTarget<number> {
  readonly members = new Map<number, InjectedMember>()
  #next = 0
  inject(channel: string, member: { userId?: string } = {}): number {
    this.members.set(this.#next, { channel, ...member })
    return this.#next++
  }
  injectMany(entries: Iterable<InjectedMember>): number[] {
    return [...entries].map((entry) => this.inject(entry.channel, entry))
  }
  removeInjected(handle: number): void {
    if (!this.members.delete(handle)) throw new Error(`unknown handle ${handle}`)
  }
  channels(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const { channel } of this.members.values()) counts.set(channel, (counts.get(channel) ?? 0) + 1)
    return counts
  }
}

const expectedChannels = (crowd: Crowd): string[] =>
  [...crowd.presentUsers()].map((user) => crowd.population.channel(user)).sort()

const ownChannels = (target: FakeTarget): string[] =>
  [...target.channels().keys()].filter((name) => name.startsWith('private-')).sort()

/** Connections per room channel the crowd should hold: everyone present, second devices twice. */
const expectedRoomChannels = (crowd: Crowd, template: (room: string) => string): Map<string, number> => {
  const counts = new Map<string, number>()
  const population = crowd.population
  for (const user of crowd.presentUsers()) {
    const name = template(population.roomOf(user))
    counts.set(name, (counts.get(name) ?? 0) + (population.devices[user] as number))
  }
  return counts
}

const roomChannelsOf = (target: FakeTarget, isRoom: (name: string) => boolean): Map<string, number> =>
  new Map([...target.channels()].filter(([name]) => isRoom(name)))

describe('InjectedCrowdDriver', () => {
  it('injects exactly the present crowd, with user ids', () => {
    const crowd = new Crowd({ size: 300, rooms: 4, groups: ['red', 'blue'], seed: 1 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    expect(driver.populate()).toBe(300)
    expect(ownChannels(target)).toEqual(expectedChannels(crowd))
    for (const member of target.members.values()) {
      if (member.channel.startsWith('private-')) expect(member.channel.endsWith(`-${member.userId}`)).toBe(true)
    }
  })

  it("subscribes every connection to its room's channel as well, by default the public {room}", () => {
    const crowd = new Crowd({ size: 2000, rooms: 6, groups: ['red', 'blue'], twoDeviceShare: 0.1, seed: 7 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    const connections = driver.populate()
    const rooms = roomChannelsOf(target, (name) => /^room\d+$/.test(name))
    expect(rooms).toEqual(expectedRoomChannels(crowd, (room) => room))
    expect([...rooms.values()].reduce((a, b) => a + b, 0)).toBe(connections)
    expect(target.members.size).toBe(2 * connections)
    expect(driver.roomChannel(0)).toBe('room1')
  })

  it('takes a room channel template, or none', () => {
    const crowd = new Crowd({ size: 400, rooms: 3, seed: 8 })
    for (const template of ['private-{room}', 'cache-{room}', 'private-cache-{room}', 'presence-{room}']) {
      const target = new FakeTarget()
      new InjectedCrowdDriver(crowd, target, { roomChannel: template }).populate()
      const name = (room: string) => template.replace('{room}', room)
      const rooms = roomChannelsOf(target, (channel) => /^[a-z-]*room\d+$/.test(channel))
      expect(rooms).toEqual(expectedRoomChannels(crowd, name))
      // Presence room channels list members by user id: every room subscription carries one.
      expect([...target.members.values()].every((member) => typeof member.userId === 'string')).toBe(true)
    }
    const none = new FakeTarget()
    new InjectedCrowdDriver(crowd, none, { roomChannel: null }).populate()
    expect([...none.channels().keys()].sort()).toEqual(expectedChannels(crowd))
  })

  it('refuses a room channel template it cannot fill into valid channel names', () => {
    const crowd = new Crowd({ size: 10, rooms: 2, seed: 9 })
    const target = new FakeTarget()
    expect(() => new InjectedCrowdDriver(crowd, target, { roomChannel: 'lobby' })).toThrow(/needs a \{room\}/)
    expect(() => new InjectedCrowdDriver(crowd, target, { roomChannel: '{room}-{user}' })).toThrow(/\{user\}/)
    expect(() => new InjectedCrowdDriver(crowd, target, { roomChannel: 'room {room}' })).toThrow(/a space/)
    expect(target.members.size).toBe(0)
  })

  it('connects two-device users twice on the same channel', () => {
    const crowd = new Crowd({ size: 1000, rooms: 4, twoDeviceShare: 0.2, seed: 2 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    const twoDevices = [...crowd.presentUsers()].filter((user) => crowd.population.devices[user] === 2).length
    expect(twoDevices).toBeGreaterThan(100)
    expect(driver.populate()).toBe(1000 + twoDevices)
    expect(ownChannels(target)).toHaveLength(1000)
    const own = [...target.channels()].filter(([name]) => name.startsWith('private-'))
    expect(own.filter(([, n]) => n === 2).length).toBe(twoDevices)
  })

  it('follows churn: the injected channels always match the crowd', () => {
    const crowd = new Crowd({ size: 500, rooms: 3, churn: 0.5, twoDeviceShare: 0.1, seed: 3 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    driver.populate()
    for (let step = 0; step < 30; step++) {
      const change = driver.advance(3000)
      expect(change.joined.length + change.left.length).toBeGreaterThan(0)
      expect(ownChannels(target)).toEqual(expectedChannels(crowd))
      expect(roomChannelsOf(target, (name) => !name.startsWith('private-'))).toEqual(
        expectedRoomChannels(crowd, (room) => room),
      )
    }
    driver.clear()
    expect(target.members.size).toBe(0)
    expect(driver.connections).toBe(0)
  })

  it('populates a million members through two lazy injectMany calls (own channels, room channels)', () => {
    const crowd = new Crowd({ size: 1_000_000, rooms: 100, seed: 4 })
    let count = 0
    let calls = 0
    const target: InjectionTarget<number> = {
      inject: () => count++,
      removeInjected: () => {},
      injectMany(entries) {
        calls++
        const handles: number[] = []
        for (const entry of entries) if (entry.channel.length > 0) handles.push(count++)
        return handles
      },
    }
    expect(new InjectedCrowdDriver(crowd, target).populate()).toBe(1_000_000)
    expect(calls).toBe(2)
    expect(count).toBe(2_000_000)
  }, 60_000)
})
