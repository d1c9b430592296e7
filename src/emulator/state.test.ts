import { describe, expect, it } from 'vitest'
import { AppState, type SocketSubscriber } from './state.ts'
import type { WebhookEvent } from './webhook-batcher.ts'

function socket(id: string): SocketSubscriber & { frames: string[] } {
  const frames: string[] = []
  return { socketId: id, frames, send: (f) => frames.push(f) }
}

describe('AppState', () => {
  it('counts users, not connections, on presence channels', () => {
    const hooks: WebhookEvent[] = []
    const state = new AppState({ presenceLimit: 100, vacateDelayMs: 10_000, webhookSink: (e) => hooks.push(e) })
    const a1 = socket('1.1')
    const a2 = socket('1.2')
    const b = socket('1.3')
    state.subscribeSocket(b, 'presence-x', { id: 'b', info: null })
    expect(state.subscribeSocket(a1, 'presence-x', { id: 'a', info: { n: 1 } })).toEqual({ ok: true, newMember: true })
    expect(state.subscribeSocket(a2, 'presence-x', { id: 'a', info: { n: 1 } })).toEqual({ ok: true, newMember: false })
    expect(b.frames.filter((f) => f.includes('member_added'))).toHaveLength(1)
    expect(state.channel('presence-x')?.members?.size).toBe(2)
    state.unsubscribeSocket(a1, 'presence-x')
    expect(b.frames.filter((f) => f.includes('member_removed'))).toHaveLength(0)
    state.unsubscribeSocket(a2, 'presence-x')
    expect(b.frames.filter((f) => f.includes('member_removed'))).toHaveLength(1)
    expect(hooks.map((h) => h.name)).toEqual(['channel_occupied', 'member_added', 'member_added'])
    state.close()
  })

  it('refuses a new member beyond the limit', () => {
    const state = new AppState({ presenceLimit: 1, vacateDelayMs: 0, webhookSink: null })
    state.subscribeSocket(socket('1.1'), 'presence-y', { id: 'a', info: null })
    expect(state.subscribeSocket(socket('1.2'), 'presence-y', { id: 'b', info: null })).toEqual({
      ok: false,
      reason: 'limit',
    })
    expect(state.subscribeSocket(socket('1.3'), 'presence-y', { id: 'a', info: null }).ok).toBe(true)
  })

  it('builds the channels list as valid JSON and forgets empty channels without webhooks', () => {
    const state = new AppState({ presenceLimit: 100, vacateDelayMs: 0, webhookSink: null })
    const handles = ['private-r1-a', 'private-r1-b', 'private-r2-c', 'public'].map((c) => state.inject(c))
    state.inject('presence-p', 'u1')
    expect(JSON.parse(state.channelsBody('private-r1-', false, true).toString())).toEqual({
      channels: { 'private-r1-a': { subscription_count: 1 }, 'private-r1-b': { subscription_count: 1 } },
    })
    expect(JSON.parse(state.channelsBody('presence-', true, true).toString())).toEqual({
      channels: { 'presence-p': { user_count: 1 } },
    })
    for (const h of handles) state.removeInjected(h)
    expect(state.channels.size).toBe(1)
    expect(JSON.parse(state.channelsBody('', false, false).toString())).toEqual({ channels: { 'presence-p': {} } })
  })

  it('lists channels in a fresh random order when asked, each with its own attributes', () => {
    const state = new AppState({ presenceLimit: 100, vacateDelayMs: 0, webhookSink: null })
    const names = Array.from({ length: 60 }, (_, i) => `private-r${i % 3}-u${i}`)
    for (const name of names) state.inject(name)
    // Every third channel has a second subscriber, so attributes show whether they moved with their channel.
    for (let i = 0; i < names.length; i += 3) state.inject(names[i] as string)
    const listed = (shuffled: boolean): Array<[string, unknown]> =>
      Object.entries(
        (JSON.parse(state.channelsBody('private-', false, true, shuffled).toString()) as { channels: object }).channels,
      )
    const expected = names.map((name, i): [string, unknown] => [name, { subscription_count: i % 3 === 0 ? 2 : 1 }])
    expect(listed(false)).toEqual(expected)
    const first = listed(true)
    const second = listed(true)
    const byName = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : 1)
    expect(first.slice().sort(byName)).toEqual(expected.slice().sort(byName))
    expect(second.slice().sort(byName)).toEqual(expected.slice().sort(byName))
    // 60! orders: the same one twice, or the occupied order, is as good as impossible.
    expect(first.map(([name]) => name)).not.toEqual(names)
    expect(second.map(([name]) => name)).not.toEqual(first.map(([name]) => name))
  })

  it('counts member_added for injected presence members like vanilla presence: n(n-1)/2 plus one list each', () => {
    const state = new AppState({ presenceLimit: 1000, vacateDelayMs: 0, webhookSink: null })
    for (let i = 0; i < 100; i++) state.inject('presence-big', `u${i}`)
    expect(state.accounting.totals.member_added).toBe((100 * 99) / 2)
    expect(state.accounting.totals.subscription_succeeded).toBe(100)
  })
})

describe('AppState cache channels', () => {
  const setUp = (ttlMs = 60_000) => {
    const hooks: WebhookEvent[] = []
    let now = 1_000_000
    const state = new AppState({
      presenceLimit: 100,
      vacateDelayMs: 0,
      cacheTtlMs: ttlMs,
      webhookSink: (e) => hooks.push(e),
      now: () => now,
    })
    return { state, hooks, advance: (ms: number) => (now += ms) }
  }
  const subscribe = (state: AppState, sock: ReturnType<typeof socket>, name: string): void => {
    state.subscribeSocket(sock, name)
    state.welcomeToCache(sock, name)
  }

  it('hands the last triggered event to a new subscriber, even one arriving after everyone left', () => {
    const { state } = setUp()
    state.trigger('cache-room', 'occupancy', '{"count":1}')
    state.trigger('cache-room', 'occupancy', '{"count":2}')
    const late = socket('1.1')
    subscribe(state, late, 'cache-room')
    expect(late.frames).toEqual([JSON.stringify({ event: 'occupancy', channel: 'cache-room', data: '{"count":2}' })])
    expect(state.accounting.totals.cached_event).toBe(1)
    state.close()
  })

  it('keeps an event for its TTL only, and reports the whole seconds left', () => {
    const { state, advance } = setUp(10_000)
    state.trigger('private-cache-room', 'e', 'x')
    advance(2_500)
    expect(state.cacheInfo('private-cache-room')).toEqual({ data: 'x', ttl: 8 })
    advance(7_499)
    expect(state.cacheInfo('private-cache-room')).toEqual({ data: 'x', ttl: 1 })
    advance(1)
    expect(state.cacheInfo('private-cache-room')).toBeNull()
    const sock = socket('1.1')
    subscribe(state, sock, 'private-cache-room')
    expect(sock.frames.map((f) => (JSON.parse(f) as { event: string }).event)).toEqual(['pusher:cache_miss'])
    state.close()
  })

  it('sends one cache_miss webhook per empty channel however many subscribe, and again once filled and emptied', () => {
    const { state, hooks, advance } = setUp(1000)
    const sockets = ['1.1', '1.2', '1.3'].map(socket)
    for (const sock of sockets) subscribe(state, sock, 'cache-x')
    for (let i = 0; i < 1000; i++) state.inject('cache-x')
    expect(hooks.filter((h) => h.name === 'cache_miss')).toEqual([{ name: 'cache_miss', channel: 'cache-x' }])
    expect(sockets.every((s) => s.frames.some((f) => f.includes('pusher:cache_miss')))).toBe(true)
    expect(state.accounting.totals.cache_miss).toBe(1003)
    state.trigger('cache-x', 'e', 'v')
    state.inject('cache-x')
    expect(state.accounting.totals.cached_event).toBe(1)
    advance(1000)
    state.inject('cache-x')
    expect(hooks.filter((h) => h.name === 'cache_miss')).toHaveLength(2)
    state.close()
  })

  it('never caches on other channels, nor client events', () => {
    const { state, hooks } = setUp()
    state.trigger('room', 'e', 'v')
    state.trigger('private-room', 'e', 'v')
    const sock = socket('1.1')
    subscribe(state, sock, 'room')
    expect(sock.frames).toEqual([])
    expect(state.cachedEvent('room')).toBeNull()
    state.publish('private-cache-y', '{"event":"client-x"}', 'client_event')
    expect(state.cachedEvent('private-cache-y')).toBeNull()
    expect(hooks.some((h) => h.name === 'cache_miss')).toBe(false)
    state.close()
  })

  it('recognises every cache prefix Pusher documents', () => {
    const { state } = setUp()
    for (const name of ['cache-a', 'private-cache-a', 'private-encrypted-cache-a', 'presence-cache-a']) {
      state.trigger(name, 'e', 'v')
      expect(state.cachedEvent(name)?.data).toBe('v')
    }
    for (const name of ['cachex-a', 'private-cachex', 'presence-a-cache-b']) {
      state.trigger(name, 'e', 'v')
      expect(state.cachedEvent(name)).toBeNull()
    }
    state.close()
  })
})
