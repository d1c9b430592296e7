import Pusher from 'pusher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Crowd } from '../../../src/emulator/crowd/crowd.ts'
import { MAX_SOCKET_CONNECTIONS, SocketCrowdDriver } from '../../../src/emulator/crowd/socket-driver.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { expectedChannels, expectedRoomChannels, listChannels, sameEntries, settle, sortedEntries } from './helpers.ts'

describe('socket crowd (pusher-js clients)', () => {
  let emulator: RunningEmulator
  let api: Pusher

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, vacateDelayMs: 0 })
    api = Pusher.forURL(emulator.url)
  })
  afterAll(async () => {
    await emulator.close()
  })

  const driverFor = (crowd: Crowd, roomChannel?: string | null): SocketCrowdDriver =>
    new SocketCrowdDriver(crowd, {
      host: emulator.host,
      port: emulator.port,
      appId: emulator.appId,
      key: emulator.key,
      secret: emulator.secret,
      ...(roomChannel === undefined ? {} : { roomChannel }),
    })

  it('connects ~20 clients, each subscribed to its own channel; two devices count twice as subscriptions', async () => {
    const crowd = new Crowd({ size: 20, rooms: 3, groups: ['red', 'blue'], twoDeviceShare: 0.25, seed: 3 })
    const driver = driverFor(crowd)
    try {
      const connections = await driver.populate()
      const expected = expectedChannels(crowd)
      expect(connections).toBe([...expected.values()].reduce((a, b) => a + b, 0))
      expect([...expected.values()]).toContain(2)
      expect(sortedEntries(await listChannels(api))).toEqual(sortedEntries(expected))
      expect(sortedEntries(await listChannels(api, 'room'))).toEqual(sortedEntries(expectedRoomChannels(crowd)))
      expect(emulator.stats().connections).toBe(connections)
    } finally {
      await driver.close()
    }
    const after = await settle(
      () => listChannels(api),
      (channels) => channels.size === 0,
    )
    expect(after.size).toBe(0)
  })

  it('follows a churn step with real subscribe and disconnect', async () => {
    const crowd = new Crowd({ size: 16, rooms: 2, churn: 0.5, seed: 12 })
    const driver = driverFor(crowd)
    try {
      await driver.populate()
      const { joined, left } = await driver.advance(60_000)
      expect(joined.length).toBeGreaterThan(0)
      expect(left.length).toBeGreaterThan(0)
      const expected = expectedChannels(crowd)
      const after = await settle(
        () => listChannels(api),
        (channels) => sameEntries(channels, expected),
      )
      expect(sortedEntries(after)).toEqual(sortedEntries(expected))
      for (const user of left) expect(after.has(crowd.population.channel(user))).toBe(false)
      for (const user of joined) expect(after.has(crowd.population.channel(user))).toBe(true)
    } finally {
      await driver.close()
    }
  })

  it('subscribes each connection to a room channel from a template, presence channels as its user', async () => {
    const crowd = new Crowd({ size: 12, rooms: 2, seed: 4 })
    const driver = driverFor(crowd, 'presence-{room}')
    try {
      await driver.populate()
      const population = crowd.population
      for (const [channel, count] of expectedRoomChannels(crowd, 'presence-{room}')) {
        const users = (await (await api.get({ path: `/channels/${channel}/users` })).json()) as {
          users: Array<{ id: string }>
        }
        const expected = [...crowd.presentUsers()]
          .filter((user) => `presence-${population.roomOf(user)}` === channel)
          .map((user) => population.userId(user))
        expect(users.users.map((u) => u.id).sort()).toEqual(expected.sort())
        expect(users.users).toHaveLength(count)
      }
      expect((await listChannels(api, 'room')).size).toBe(0)
    } finally {
      await driver.close()
    }
  })

  it('closes cleanly while clients are still connecting', async () => {
    const crowd = new Crowd({ size: 40, rooms: 2, seed: 30 })
    const driver = driverFor(crowd)
    const populating = driver.populate()
    await driver.close()
    await expect(populating).rejects.toThrow(/closed/)
    expect(driver.connections).toBe(0)
    const after = await settle(
      () => listChannels(api),
      (channels) => channels.size === 0,
    )
    expect(after.size).toBe(0)
  })

  it('refuses a crowd too large for sockets without opening any', async () => {
    const crowd = new Crowd({ size: MAX_SOCKET_CONNECTIONS + 1, rooms: 2, seed: 1 })
    const driver = driverFor(crowd)
    await expect(driver.populate()).rejects.toThrow(/inject large crowds/)
    expect(driver.connections).toBe(0)
  })

  it('reports a refused subscription instead of hanging', async () => {
    const crowd = new Crowd({ size: 1, rooms: 1, seed: 1 })
    const driver = new SocketCrowdDriver(crowd, {
      host: emulator.host,
      port: emulator.port,
      appId: emulator.appId,
      key: emulator.key,
      secret: 'wrong-secret',
    })
    await expect(driver.populate()).rejects.toThrow(/subscription refused .*Invalid signature/)
    expect(driver.connections).toBe(0)
    await driver.close()
  })
})
