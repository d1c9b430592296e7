import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import {
  type client,
  nextEvent,
  openClient,
  Pusher,
  type PusherJs,
  serverSdk,
  signedFetch,
  subscribed,
  withEmulator,
} from './helpers.ts'

interface SdkError {
  status: number
  body: string
}

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise
  } catch (error) {
    return error as SdkError
  }
  throw new Error('expected the request to fail')
}

describe('emulator HTTP API through the official pusher SDK', () => {
  let emulator: RunningEmulator
  let sdk: Pusher
  const sockets: PusherJs[] = []

  beforeAll(async () => {
    emulator = await withEmulator()
    sdk = serverSdk(emulator)
  })
  afterAll(async () => {
    for (const s of sockets) s.disconnect()
    await emulator.close()
  })

  const open = (opts: Parameters<typeof client>[1] = {}): Promise<PusherJs> => openClient(emulator, sockets, opts)

  it('exposes a forURL-compatible URL', async () => {
    const fromUrl = Pusher.forURL(emulator.url)
    const response = await fromUrl.get({ path: '/channels' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ channels: {} })
  })

  it('triggers to one channel and to many, delivering to subscribers', async () => {
    const a = await open()
    await subscribed(a, 'news')
    await subscribed(a, 'private-news')
    const one = nextEvent(a, 'news', 'headline')
    const response = await sdk.trigger('news', 'headline', { title: 'hello' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({})
    expect(await one).toEqual({ title: 'hello' })

    const both = Promise.all([nextEvent(a, 'news', 'multi'), nextEvent(a, 'private-news', 'multi')])
    await sdk.trigger(['news', 'private-news', 'nobody-here'], 'multi', 'plain text')
    expect(await both).toEqual(['plain text', 'plain text'])
  })

  it('excludes the socket given as socket_id', async () => {
    const a = await open()
    const b = await open()
    await subscribed(a, 'excl')
    await subscribed(b, 'excl')
    const seenByA: unknown[] = []
    a.channel('excl').bind('ping', (d: unknown) => seenByA.push(d))
    const toB = nextEvent(b, 'excl', 'ping')
    await sdk.trigger('excl', 'ping', { n: 1 }, { socket_id: a.connection.socket_id })
    expect(await toB).toEqual({ n: 1 })
    // A marker event sent afterwards arrives in order, proving the excluded one never came.
    const marker = nextEvent(a, 'excl', 'marker')
    await sdk.trigger('excl', 'marker', {})
    await marker
    expect(seenByA).toEqual([])
  })

  it('returns info for triggered channels', async () => {
    const a = await open({ userId: 'u-info' })
    await subscribed(a, 'presence-info')
    await subscribed(a, 'info-public')
    const response = await sdk.trigger(
      ['presence-info', 'info-public'],
      'e',
      {},
      { info: 'user_count,subscription_count' },
    )
    expect(await response.json()).toEqual({
      channels: { 'presence-info': { user_count: 1 }, 'info-public': { subscription_count: 1 } },
    })
  })

  it('triggers a batch, with info per event', async () => {
    const a = await open()
    await subscribed(a, 'batch-a')
    const got = Promise.all([nextEvent(a, 'batch-a', 'one'), nextEvent(a, 'batch-a', 'two')])
    const response = await sdk.triggerBatch([
      { channel: 'batch-a', name: 'one', data: { n: 1 } },
      { channel: 'batch-a', name: 'two', data: { n: 2 }, info: 'subscription_count' },
    ])
    expect(await response.json()).toEqual({ batch: [{}, { subscription_count: 1 }] })
    expect(await got).toEqual([{ n: 1 }, { n: 2 }])
  })

  it('lists occupied channels with a prefix filter and info', async () => {
    const a = await open({ userId: 'lister' })
    const b = await open({ userId: 'lister' })
    await subscribed(a, 'private-list-1')
    await subscribed(a, 'private-list-2')
    await subscribed(b, 'private-list-2')
    await subscribed(a, 'presence-list')
    await subscribed(b, 'presence-list')

    const all = await (await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-list-' } })).json()
    expect(all).toEqual({ channels: { 'private-list-1': {}, 'private-list-2': {} } })

    const counts = await (
      await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-list-', info: 'subscription_count' } })
    ).json()
    expect(counts).toEqual({
      channels: { 'private-list-1': { subscription_count: 1 }, 'private-list-2': { subscription_count: 2 } },
    })

    const presence = await (
      await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-list', info: 'user_count' } })
    ).json()
    expect(presence).toEqual({ channels: { 'presence-list': { user_count: 1 } } })

    const refused = await sdkError(
      sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-', info: 'user_count' } }),
    )
    expect(refused.status).toBe(400)
    expect(refused.body).toMatch(/presence/)
    const unknown = await sdkError(sdk.get({ path: '/channels', params: { info: 'favourite_colour' } }))
    expect(unknown.status).toBe(400)
  })

  it("reports one channel by Pusher's attribute rules", async () => {
    const a = await open({ userId: 'one' })
    const b = await open({ userId: 'two' })
    const c = await open({ userId: 'two' })
    await subscribed(a, 'presence-one')
    await subscribed(b, 'presence-one')
    await subscribed(c, 'presence-one')
    await subscribed(a, 'private-one')

    expect(await (await sdk.get({ path: '/channels/presence-one', params: { info: 'user_count' } })).json()).toEqual({
      occupied: true,
      user_count: 2,
    })
    expect(
      await (await sdk.get({ path: '/channels/private-one', params: { info: 'subscription_count' } })).json(),
    ).toEqual({
      occupied: true,
      subscription_count: 1,
    })
    expect(await (await sdk.get({ path: '/channels/empty-one' })).json()).toEqual({ occupied: false })
    expect((await sdkError(sdk.get({ path: '/channels/private-one', params: { info: 'user_count' } }))).status).toBe(
      400,
    )
    expect(
      (await sdkError(sdk.get({ path: '/channels/presence-one', params: { info: 'subscription_count' } }))).status,
    ).toBe(400)
  })

  it('lists presence users, and only for presence channels', async () => {
    const a = await open({ userId: 'alice' })
    const b = await open({ userId: 'bob' })
    await subscribed(a, 'presence-users')
    await subscribed(b, 'presence-users')
    const users = (await (await sdk.get({ path: '/channels/presence-users/users' })).json()) as {
      users: Array<{ id: string }>
    }
    expect(users.users.map((u) => u.id).sort()).toEqual(['alice', 'bob'])
    expect((await sdkError(sdk.get({ path: '/channels/private-x/users' }))).status).toBe(400)
  })

  it("terminates a user's connections", async () => {
    const a = await open({ userId: 'victim' })
    const b = await open({ userId: 'victim' })
    const other = await open({ userId: 'bystander' })
    await subscribed(a, 'presence-term')
    await subscribed(b, 'presence-term')
    await subscribed(other, 'presence-term')
    const closedA = new Promise((resolve) =>
      a.connection.bind('state_change', (s: { current: string }) => s.current !== 'connected' && resolve(s.current)),
    )
    const removed = nextEvent<{ id: string }>(other, 'presence-term', 'pusher:member_removed')
    const response = await sdk.terminateUserConnections('victim')
    expect(response.status).toBe(200)
    await closedA
    expect((await removed).id).toBe('victim')
    const users = (await (await sdk.get({ path: '/channels/presence-term/users' })).json()) as {
      users: Array<{ id: string }>
    }
    expect(users.users).toEqual([{ id: 'bystander' }])
  })

  it('sends to a signed-in user through #server-to-user', async () => {
    const a = await open({ userId: 'signed' })
    a.signin()
    await a.user.signinDonePromise
    const got = new Promise((resolve) => a.user.bind('direct', resolve))
    // The server-to-user channel subscription follows signin; retry until it is in place.
    let received: unknown
    void got.then((value) => (received = value))
    while (received === undefined) {
      await sdk.sendToUser('signed', 'direct', { hi: true })
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(received).toEqual({ hi: true })
  })

  describe('refusals', () => {
    it('refuses oversize data with 413 and too many channels with 400', async () => {
      const big = await sdkError(sdk.trigger('news', 'big', 'x'.repeat(10 * 1024 + 1)))
      expect(big.status).toBe(413)
      expect(big.body).toMatch(/10 ?KB|10240/)
      const ok = await sdk.trigger('news', 'exact', 'x'.repeat(10 * 1024))
      expect(ok.status).toBe(200)

      const channels = Array.from({ length: 101 }, (_, i) => `c${i}`)
      const tooMany = await signedFetch(emulator, '/events', {
        body: JSON.stringify({ name: 'e', data: '{}', channels }),
      })
      expect(tooMany.status).toBe(400)
      expect(tooMany.text).toMatch(/100/)
      const hundred = await signedFetch(emulator, '/events', {
        body: JSON.stringify({ name: 'e', data: '{}', channels: channels.slice(0, 100) }),
      })
      expect(hundred.status).toBe(200)
    })

    it('refuses 11 events in a batch', async () => {
      const batch = Array.from({ length: 11 }, (_, i) => ({ channel: 'b', name: `e${i}`, data: '{}' }))
      const response = await signedFetch(emulator, '/batch_events', { body: JSON.stringify({ batch }) })
      expect(response.status).toBe(413)
      expect(response.text).toMatch(/10/)
      const ten = await signedFetch(emulator, '/batch_events', { body: JSON.stringify({ batch: batch.slice(0, 10) }) })
      expect(ten.status).toBe(200)
      const badItem = await signedFetch(emulator, '/batch_events', {
        body: JSON.stringify({
          batch: [
            { channel: 'ok', name: 'e', data: '{}' },
            { channel: 'bad name', name: 'e', data: '{}' },
          ],
        }),
      })
      expect(badItem.status).toBe(400)
      expect(badItem.text).toMatch(/batch\[1\]/)
    })

    it('refuses bad channel names, bad event names, bad socket ids and malformed bodies', async () => {
      const post = (body: unknown) =>
        signedFetch(emulator, '/events', { body: typeof body === 'string' ? body : JSON.stringify(body) })
      expect((await post({ name: 'e', data: '{}', channel: 'has space' })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}', channel: 'a#b' })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}', channel: 'x'.repeat(165) })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}', channel: 'x'.repeat(164) })).status).toBe(200)
      expect((await post({ name: 'e', data: '{}', channel: 'ok_-=@,.;' })).status).toBe(200)
      expect((await post({ name: 'x'.repeat(201), data: '{}', channel: 'ok' })).status).toBe(400)
      expect((await post({ name: '', data: '{}', channel: 'ok' })).status).toBe(400)
      expect((await post({ data: '{}', channel: 'ok' })).status).toBe(400)
      expect((await post({ name: 'e', data: { not: 'a string' }, channel: 'ok' })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}' })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}', channel: 'ok', socket_id: 'abc' })).status).toBe(400)
      expect((await post({ name: 'e', data: '{}', channel: 'ok', socket_id: '1.2' })).status).toBe(200)
      const malformed = await post('{"name": ')
      expect(malformed.status).toBe(400)
      expect(malformed.text).toMatch(/JSON/)
      expect((await post('[1,2,3]')).status).toBe(400)
      expect((await post('null')).status).toBe(400)
      expect((await post('')).status).toBe(400)
    })

    it('checks signatures like Pusher', async () => {
      const body = JSON.stringify({ name: 'e', data: '{}', channel: 'sig' })
      const badSecret = await signedFetch(emulator, '/events', { body, secret: 'wrong' })
      expect(badSecret.status).toBe(401)
      expect(badSecret.text).toMatch(/Invalid signature/)
      const stale = await signedFetch(emulator, '/events', { body, timestamp: Math.floor(Date.now() / 1000) - 601 })
      expect(stale.status).toBe(401)
      expect(stale.text).toMatch(/600/)
      const future = await signedFetch(emulator, '/events', { body, timestamp: Math.floor(Date.now() / 1000) + 601 })
      expect(future.status).toBe(401)
      const nearlyStale = await signedFetch(emulator, '/events', {
        body,
        timestamp: Math.floor(Date.now() / 1000) - 590,
      })
      expect(nearlyStale.status).toBe(200)
      const wrongMd5 = await signedFetch(emulator, '/events', { body, bodyMd5: '0'.repeat(32) })
      expect(wrongMd5.status).toBe(401)
      expect(wrongMd5.text).toMatch(/body_md5/)
      const wrongKey = await signedFetch(emulator, '/events', { body, key: 'someone-else' })
      expect(wrongKey.status).toBe(401)
      const noSignature = await signedFetch(emulator, '/channels', { tamper: (q) => q.delete('auth_signature') })
      expect(noSignature.status).toBe(401)
      const badVersion = await signedFetch(emulator, '/channels', { params: { auth_version: '2.0' } })
      expect(badVersion.status).toBe(401)
      const tamperedParam = await signedFetch(emulator, '/channels', {
        params: { filter_by_prefix: 'a' },
        tamper: (q) => q.set('filter_by_prefix', 'b'),
      })
      expect(tamperedParam.status).toBe(401)
      // Upper-case parameter keys are lowercased before signing.
      const upper = await signedFetch(emulator, '/channels', { params: { FILTER_BY_PREFIX: 'a' } })
      expect(upper.status).toBe(200)
      const wrongSdk = new Pusher({
        appId: emulator.appId,
        key: emulator.key,
        secret: 'nope',
        host: '127.0.0.1',
        port: String(emulator.port),
        useTLS: false,
      })
      expect((await sdkError(wrongSdk.trigger('sig', 'e', {}))).status).toBe(401)
    })

    it('answers 404 for unknown apps and paths and 405 for wrong methods', async () => {
      const otherApp = new Pusher({
        appId: '999',
        key: emulator.key,
        secret: emulator.secret,
        host: '127.0.0.1',
        port: String(emulator.port),
        useTLS: false,
      })
      expect((await sdkError(otherApp.get({ path: '/channels' }))).status).toBe(404)
      expect((await sdkError(sdk.get({ path: '/nothing' }))).status).toBe(404)
      expect((await fetch(`http://127.0.0.1:${emulator.port}/`)).status).toBe(404)
      const wrongMethod = await signedFetch(emulator, '/events', { method: 'GET' })
      expect(wrongMethod.status).toBe(405)
      const wrongMethod2 = await signedFetch(emulator, '/channels', { method: 'POST', body: '{}' })
      expect(wrongMethod2.status).toBe(405)
    })

    it('keeps serving after garbage requests', async () => {
      const garbage = await fetch(`http://127.0.0.1:${emulator.port}/apps/${emulator.appId}/events?auth_key=%E0%A4%A`, {
        method: 'POST',
        body: '\u0000\u0001',
      })
      expect(garbage.status).toBe(401)
      expect((await sdk.get({ path: '/channels' })).status).toBe(200)
    })
  })
})
