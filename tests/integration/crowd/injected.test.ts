import Pusher from 'pusher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Crowd } from '../../../src/emulator/crowd/crowd.ts'
import { InjectedCrowdDriver } from '../../../src/emulator/crowd/injected-driver.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { expectedChannels, listChannels, sortedEntries } from './helpers.ts'

describe('injected crowd', () => {
  let emulator: RunningEmulator
  let api: Pusher

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 })
    api = Pusher.forURL(emulator.url)
  })
  afterAll(async () => {
    await emulator.close()
  })

  it('shows exactly the crowd through GET /channels, counting second devices as subscriptions', async () => {
    const crowd = new Crowd({ size: 3000, rooms: 7, groups: ['red', 'blue'], twoDeviceShare: 0.1, seed: 21 })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    const connections = driver.populate()
    try {
      const expected = expectedChannels(crowd)
      expect(connections).toBe([...expected.values()].reduce((a, b) => a + b, 0))
      expect(sortedEntries(await listChannels(api))).toEqual(sortedEntries(expected))
      expect([...expected.values()]).toContain(2)
      expect(emulator.stats().injectedMembers).toBe(connections)
      // The group segment is there and the busiest room leads.
      const channels = [...expected.keys()]
      expect(channels.every((name) => /^private-room\d+-(red|blue)-u\d{6}$/.test(name))).toBe(true)
      const room1 = channels.filter((name) => name.startsWith('private-room1-')).length
      const room7 = channels.filter((name) => name.startsWith('private-room7-')).length
      expect(room1).toBeGreaterThan(room7)
    } finally {
      driver.clear()
    }
    expect((await listChannels(api)).size).toBe(0)
    expect(emulator.stats().injectedMembers).toBe(0)
  })

  it("applies a churn step: the leavers' channels go, the arrivals' channels come", async () => {
    const crowd = new Crowd({ size: 2000, rooms: 5, churn: 0.3, seed: 5 })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    driver.populate()
    try {
      const before = await listChannels(api)
      const { joined, left } = driver.advance(60_000)
      expect(joined.length).toBeGreaterThan(300)
      expect(left.length).toBeGreaterThan(300)
      const after = await listChannels(api)
      for (const user of left) {
        const channel = crowd.population.channel(user)
        expect(before.has(channel)).toBe(true)
        expect(after.has(channel)).toBe(false)
      }
      for (const user of joined) {
        const channel = crowd.population.channel(user)
        expect(before.has(channel)).toBe(false)
        expect(after.has(channel)).toBe(true)
      }
      expect(sortedEntries(after)).toEqual(sortedEntries(expectedChannels(crowd)))
    } finally {
      driver.clear()
    }
  })

  it('populates 200,000 members and lists them all', async () => {
    const crowd = new Crowd({ size: 200_000, rooms: 100, seed: 8 })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    expect(driver.populate()).toBe(200_000)
    try {
      const channels = await listChannels(api, 'private-room1-')
      const inRoom1 = crowd.roomCounts()[0] as number
      expect(channels.size).toBe(inRoom1)
      expect(inRoom1).toBeGreaterThan(200_000 / 100)
    } finally {
      driver.clear()
    }
  })
})
