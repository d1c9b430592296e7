import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { PresenceLimitError } from '../../../src/emulator/state.ts'
import {
  client,
  connected,
  eventually,
  nextEvent,
  type Pusher,
  type PusherJs,
  serverSdk,
  subscribed,
  withEmulator,
} from './helpers.ts'

type Members = { count: number; each(fn: (m: { id: string; info: unknown }) => void): void }

describe('injected members and delivery accounting', () => {
  let emulator: RunningEmulator
  let sdk: Pusher
  const sockets: PusherJs[] = []

  beforeAll(async () => {
    emulator = await withEmulator({ presenceLimit: 5 })
    sdk = serverSdk(emulator)
  })
  afterAll(async () => {
    for (const s of sockets) s.disconnect()
    await emulator.close()
  })
  const open = async (userId?: string): Promise<PusherJs> => {
    const s = client(emulator, userId === undefined ? {} : { userId })
    sockets.push(s)
    await connected(s)
    return s
  }
  const list = async (params: Record<string, string>) => (await sdk.get({ path: '/channels', params })).json()

  it('shows injected private channels through GET /channels like socket ones', async () => {
    const handles = emulator.injectMany([
      { channel: 'private-roomA-max' },
      { channel: 'private-roomA-sue' },
      { channel: 'private-roomB-ann' },
    ])
    const twice = emulator.inject('private-roomA-max')
    expect(await list({ filter_by_prefix: 'private-roomA-' })).toEqual({
      channels: { 'private-roomA-max': {}, 'private-roomA-sue': {} },
    })
    expect(await list({ filter_by_prefix: 'private-roomA-', info: 'subscription_count' })).toEqual({
      channels: { 'private-roomA-max': { subscription_count: 2 }, 'private-roomA-sue': { subscription_count: 1 } },
    })
    expect(
      await (await sdk.get({ path: '/channels/private-roomB-ann', params: { info: 'subscription_count' } })).json(),
    ).toEqual({
      occupied: true,
      subscription_count: 1,
    })
    emulator.removeInjected(twice)
    emulator.removeInjectedMany(handles)
    expect(await list({ filter_by_prefix: 'private-room' })).toEqual({ channels: {} })
    // Removing twice is harmless.
    emulator.removeInjected(twice)
  })

  it('makes injected presence members visible to sockets and the HTTP API', async () => {
    const h1 = emulator.inject('presence-mixed', { userId: 'ghost', userInfo: { name: 'Ghost' } })
    const s = await open('real')
    const members = (await subscribed(s, 'presence-mixed')) as Members
    const seen: Record<string, unknown> = {}
    members.each((m) => (seen[m.id] = m.info))
    expect(seen).toEqual({ ghost: { name: 'Ghost' }, real: {} })

    const added = nextEvent<{ id: string; info: unknown }>(s, 'presence-mixed', 'pusher:member_added')
    const h2 = emulator.inject('presence-mixed', { userId: 'phantom' })
    expect(await added).toEqual({ id: 'phantom', info: null })
    const users = (await (await sdk.get({ path: '/channels/presence-mixed/users' })).json()) as {
      users: Array<{ id: string }>
    }
    expect(users.users.map((u) => u.id).sort()).toEqual(['ghost', 'phantom', 'real'])
    expect(await list({ filter_by_prefix: 'presence-mixed', info: 'user_count' })).toEqual({
      channels: { 'presence-mixed': { user_count: 3 } },
    })

    const removed = nextEvent<{ id: string }>(s, 'presence-mixed', 'pusher:member_removed')
    emulator.removeInjected(h2)
    expect((await removed).id).toBe('phantom')
    emulator.removeInjected(h1)
  })

  it('applies the presence limit and user id rules to injected members', () => {
    const handles = [1, 2, 3, 4, 5].map((i) => emulator.inject('presence-capped', { userId: `u${i}` }))
    expect(() => emulator.inject('presence-capped', { userId: 'u6' })).toThrow(PresenceLimitError)
    // Another subscription of an existing member still fits.
    handles.push(emulator.inject('presence-capped', { userId: 'u1' }))
    expect(() => emulator.inject('presence-nobody')).toThrow(/userId/)
    expect(() => emulator.inject('bad channel')).toThrow(/channel/)
    emulator.removeInjectedMany(handles)
  })

  it("terminate_connections removes a user's injected members too", async () => {
    emulator.inject('presence-term-inj', { userId: 'gone' })
    emulator.inject('presence-term-inj', { userId: 'stays' })
    await sdk.terminateUserConnections('gone')
    const users = (await (await sdk.get({ path: '/channels/presence-term-inj/users' })).json()) as {
      users: Array<{ id: string }>
    }
    expect(users.users).toEqual([{ id: 'stays' }])
  })

  it('counts deliveries per channel and in total, including injected members, and resets', async () => {
    await fetch(`http://127.0.0.1:${emulator.port}/emulator/stats/reset`, { method: 'POST' })
    const watcher = await open('watch')
    await subscribed(watcher, 'presence-count') // 1 subscription_succeeded
    const handles = emulator.injectMany([
      { channel: 'presence-count', userId: 'i1' }, // 1 subscription_succeeded + 1 member_added (watcher)
      { channel: 'presence-count', userId: 'i2' }, // 1 + 2 member_added (watcher, i1)
    ])
    const got = nextEvent(watcher, 'presence-count', 'tick')
    await sdk.trigger('presence-count', 'tick', {}) // 3 recipients
    await got
    emulator.removeInjected(handles[1] as number) // member_removed to 2 (watcher, i1)

    const stats = (await (await fetch(`http://127.0.0.1:${emulator.port}/emulator/stats?top=5`)).json()) as ReturnType<
      RunningEmulator['stats']
    >
    expect(stats.deliveries).toEqual({
      total: 11,
      event: 3,
      client_event: 0,
      member_added: 3,
      member_removed: 2,
      subscription_succeeded: 3,
      cached_event: 0,
      cache_miss: 0,
    })
    expect(stats.published).toBe(1)
    expect(stats.topChannels[0]).toEqual({ channel: 'presence-count', delivered: 11 })
    expect(stats.connections).toBeGreaterThanOrEqual(1)
    expect(stats.injectedMembers).toBeGreaterThanOrEqual(1)
    expect(stats.channels.occupied).toBeGreaterThanOrEqual(1)

    const reset = await fetch(`http://127.0.0.1:${emulator.port}/emulator/stats/reset`, { method: 'POST' })
    expect(reset.status).toBe(200)
    expect(emulator.stats().deliveries.total).toBe(0)
    expect(emulator.stats().topChannels).toEqual([])
    expect((await fetch(`http://127.0.0.1:${emulator.port}/emulator/stats/reset`)).status).toBe(405)
  })

  it('counts client events once per other subscriber', async () => {
    emulator.resetStats()
    const a = await open()
    const b = await open()
    await subscribed(a, 'private-cc')
    await subscribed(b, 'private-cc')
    emulator.inject('private-cc')
    const got = nextEvent(b, 'private-cc', 'client-x')
    a.channel('private-cc').trigger('client-x', {})
    await got
    await eventually(() => (emulator.stats().deliveries.client_event === 2 ? true : undefined))
  })

  it('injects and lists a hundred thousand channels', async () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ channel: `private-bulk${i % 100}-u${i}` }))
    const handles = emulator.injectMany(entries)
    const body = (await list({ filter_by_prefix: 'private-bulk' })) as { channels: Record<string, unknown> }
    expect(Object.keys(body.channels)).toHaveLength(100_000)
    emulator.removeInjectedMany(handles)
    expect(await list({ filter_by_prefix: 'private-bulk' })).toEqual({ channels: {} })
  })
})
