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
