import Pusher from 'pusher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Crowd } from '../../../src/emulator/crowd/crowd.ts'
import { InjectedCrowdDriver } from '../../../src/emulator/crowd/injected-driver.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { eventually, WebhookReceiver } from '../emulator/helpers.ts'
import { expectedChannels, expectedRoomChannels, listChannels, sortedEntries } from './helpers.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')

interface Snapshot {
  rooms: Array<{ room: string; count: number }>
  total: number
  channels: number
  unmatched: number
}

/** What Headcount itself makes of the emulator's channels: `headcount snapshot --json`. */
async function snapshotJson(url: string, pattern: string): Promise<Snapshot> {
  const child = spawn(process.execPath, [BIN, 'snapshot', '--url', url, '--pattern', pattern, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [code] = (await once(child, 'exit')) as [number]
  if (code !== 0) throw new Error(`headcount snapshot exited ${code}: ${stderr}`)
  return JSON.parse(stdout) as Snapshot
}

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
      // Each connection holds two subscriptions: its own channel and its room's channel.
      expect(sortedEntries(await listChannels(api, 'room'))).toEqual(sortedEntries(expectedRoomChannels(crowd)))
      expect(emulator.stats().injectedMembers).toBe(2 * connections)
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
    expect((await listChannels(api, '')).size).toBe(0)
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
      expect(sortedEntries(await listChannels(api, 'room'))).toEqual(sortedEntries(expectedRoomChannels(crowd)))
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

  it("counts a broadcast to a room as one delivery per member's connection, exactly, from counts", async () => {
    const crowd = new Crowd({ size: 200_000, rooms: 3, twoDeviceShare: 0.05, seed: 9 })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    driver.populate()
    try {
      const room1 = expectedRoomChannels(crowd).get('room1') as number
      expect(room1).toBeGreaterThan(crowd.roomCounts()[0] as number) // second devices count twice
      const info = (await (
        await api.get({ path: '/channels/room1', params: { info: 'subscription_count' } })
      ).json()) as {
        occupied: boolean
        subscription_count: number
      }
      expect(info).toEqual({ occupied: true, subscription_count: room1 })
      const before = emulator.deliveredTo('room1')
      const totalBefore = emulator.stats().deliveries.event
      for (let i = 0; i < 3; i++) await api.trigger('room1', 'occupancy', { room: 'room1', count: room1, ts: i })
      expect(emulator.deliveredTo('room1') - before).toBe(3 * room1)
      expect(emulator.stats().deliveries.event - totalBefore).toBe(3 * room1)
      // The same figure over HTTP, for benchmarks that run the emulator in another process.
      const stats = (await (
        await fetch(`http://127.0.0.1:${emulator.port}/emulator/stats?top=0&channel=room1&channel=room2`)
      ).json()) as { channelDeliveries: Record<string, number> }
      expect(stats.channelDeliveries).toEqual({
        room1: emulator.deliveredTo('room1'),
        room2: emulator.deliveredTo('room2'),
      })
      // After some leave, the next count reaches exactly who is still there.
      const population = crowd.population
      const leaving = crowd
        .presentUsers()
        .filter((user) => population.homeRoom[user] === 0)
        .slice(0, 10)
      driver.apply({ joined: new Uint32Array(0), left: leaving })
      const gone = leaving.reduce((sum, user) => sum + (population.devices[user] as number), 0)
      const beforeLast = emulator.deliveredTo('room1')
      await api.trigger('room1', 'occupancy', { room: 'room1', count: room1 - gone })
      expect(emulator.deliveredTo('room1') - beforeLast).toBe(room1 - gone)
    } finally {
      driver.clear()
    }
  }, 120_000)

  it('keeps room channels off the private- listing by default, and Headcount counts a private room channel as unmatched', async () => {
    const crowd = new Crowd({ size: 300, rooms: 4, groups: ['red', 'blue'], seed: 10 })
    const driver = new InjectedCrowdDriver(crowd, emulator, { roomChannel: 'private-{room}' })
    driver.populate()
    try {
      const listed = await listChannels(api)
      // Every member's own channel, plus one private-roomN per room.
      expect(listed.size).toBe(300 + 4)
      expect(sortedEntries(new Map([...listed].filter(([name]) => /^private-room\d+$/.test(name))))).toEqual(
        sortedEntries(expectedRoomChannels(crowd, 'private-{room}')),
      )
      const snapshot = await snapshotJson(emulator.url, 'private-{room}-{group}-{user}')
      expect(snapshot.total).toBe(300)
      expect(snapshot.unmatched).toBe(4)
      expect(snapshot.channels).toBe(304)
      const counts = crowd.roomCounts()
      for (const room of snapshot.rooms) expect(room.count).toBe(counts[Number(room.room.slice(4)) - 1])
    } finally {
      driver.clear()
    }
  })
})

describe('injected crowd on cache room channels', () => {
  it('counts a cache miss per member joining an empty cache channel, one webhook per room, and the cached count once filled', async () => {
    const receiver = await new WebhookReceiver().start()
    const emulator = await startEmulator({ port: 0, webhooks: [receiver.url], webhookBatchMs: 20 })
    try {
      const api = Pusher.forURL(emulator.url)
      const crowd = new Crowd({ size: 1000, rooms: 2, churn: 0.5, seed: 11 })
      const driver = new InjectedCrowdDriver(crowd, emulator, { roomChannel: 'cache-{room}' })
      driver.populate()
      expect(emulator.stats().deliveries.cache_miss).toBe(1000)
      const misses = await eventually(() => {
        const found = receiver.events().filter((event) => event.name === 'cache_miss')
        return found.length >= 2 ? found : undefined
      })
      expect(misses.map((event) => event.channel).sort()).toEqual(['cache-room1', 'cache-room2'])
      await api.trigger(['cache-room1', 'cache-room2'], 'occupancy', { count: 1000 })
      const { joined } = driver.advance(60_000)
      expect(joined.length).toBeGreaterThan(0)
      expect(emulator.stats().deliveries.cached_event).toBe(joined.length)
      expect(receiver.events().filter((event) => event.name === 'cache_miss')).toHaveLength(2)
      driver.clear()
    } finally {
      await emulator.close()
      await receiver.stop()
    }
  })
})
