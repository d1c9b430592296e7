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

describe('InjectedCrowdDriver', () => {
  it('injects exactly the present crowd, with user ids', () => {
    const crowd = new Crowd({ size: 300, rooms: 4, groups: ['red', 'blue'], seed: 1 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    expect(driver.populate()).toBe(300)
    expect([...target.channels().keys()].sort()).toEqual(expectedChannels(crowd))
    for (const member of target.members.values()) expect(member.channel.endsWith(`-${member.userId}`)).toBe(true)
  })

  it('connects two-device users twice on the same channel', () => {
    const crowd = new Crowd({ size: 1000, rooms: 4, twoDeviceShare: 0.2, seed: 2 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    const twoDevices = [...crowd.presentUsers()].filter((user) => crowd.population.devices[user] === 2).length
    expect(twoDevices).toBeGreaterThan(100)
    expect(driver.populate()).toBe(1000 + twoDevices)
    expect(target.channels().size).toBe(1000)
    expect([...target.channels().values()].filter((n) => n === 2).length).toBe(twoDevices)
  })

  it('follows churn: the injected channels always match the crowd', () => {
    const crowd = new Crowd({ size: 500, rooms: 3, churn: 0.5, twoDeviceShare: 0.1, seed: 3 })
    const target = new FakeTarget()
    const driver = new InjectedCrowdDriver(crowd, target)
    driver.populate()
    for (let step = 0; step < 30; step++) {
      const change = driver.advance(3000)
      expect(change.joined.length + change.left.length).toBeGreaterThan(0)
      expect([...target.channels().keys()].sort()).toEqual(expectedChannels(crowd))
    }
    driver.clear()
    expect(target.members.size).toBe(0)
    expect(driver.connections).toBe(0)
  })

  it('populates a million members through one lazy injectMany call', () => {
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
    expect(calls).toBe(1)
  })
})
