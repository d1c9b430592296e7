import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import {
  client,
  connected,
  connectionError,
  eventually,
  nextEvent,
  openClient,
  type Pusher,
  PusherJs,
  RawClient,
  serverSdk,
  subscribed,
  withEmulator,
} from './helpers.ts'

type Members = { count: number; me: { id: string } | null; each(fn: (m: { id: string; info: unknown }) => void): void }

describe('emulator WebSocket protocol 7', () => {
  let emulator: RunningEmulator
  let sdk: Pusher
  const sockets: PusherJs[] = []
  const raws: RawClient[] = []

  beforeAll(async () => {
    emulator = await withEmulator({ presenceLimit: 100 })
    sdk = serverSdk(emulator)
  })
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect()
    for (const r of raws.splice(0)) r.close()
  })
  afterAll(async () => {
    await emulator.close()
  })

  const open = (opts: Parameters<typeof client>[1] = {}): Promise<PusherJs> => openClient(emulator, sockets, opts)
  const raw = async (query?: string): Promise<RawClient> => {
    const r = await RawClient.open(emulator, query)
    raws.push(r)
    return r
  }
  const auth = (
    socketId: string,
    channel: string,
    channelData?: { user_id: string; user_info?: Record<string, unknown> },
  ) => sdk.authorizeChannel(socketId, channel, channelData)

  it('establishes a connection with socket_id and activity_timeout as a JSON string', async () => {
    const r = new RawClient(`ws://127.0.0.1:${emulator.port}/app/${emulator.key}?protocol=7&client=js&version=8.6.0`)
    raws.push(r)
    const frame = await r.next('pusher:connection_established')
    expect(typeof frame.data).toBe('string')
    const data = JSON.parse(frame.data as string) as { socket_id: string; activity_timeout: number }
    expect(data.socket_id).toMatch(/^\d+\.\d+$/)
    expect(data.activity_timeout).toBe(120)
    const s = await open()
    expect(s.connection.socket_id).toMatch(/^\d+\.\d+$/)
  })

  it('answers pusher:ping with pusher:pong', async () => {
    const r = await raw()
    r.send({ event: 'pusher:ping', data: {} })
    await r.next('pusher:pong')
  })

  it('subscribes to public channels and delivers HTTP events with string data', async () => {
    const r = await raw()
    r.send({ event: 'pusher:subscribe', data: { channel: 'raw-public' } })
    const ok = await r.next('pusher_internal:subscription_succeeded', 'raw-public')
    expect(ok.data).toBe('{}')
    await sdk.trigger('raw-public', 'hello', { a: 1 })
    const event = await r.next('hello', 'raw-public')
    expect(event.data).toBe('{"a":1}')
    r.send({ event: 'pusher:subscribe', data: { channel: 'raw-public' } })
    const dup = await r.next('pusher:error')
    expect((dup.data as { message: string }).message).toMatch(/Existing subscription/)
    r.send({ event: 'pusher:unsubscribe', data: { channel: 'raw-public' } })
    await eventually(
      async () =>
        ((await (await sdk.get({ path: '/channels/raw-public' })).json()) as { occupied: boolean }).occupied ===
          false || undefined,
    )
  })

  it('authorizes private channels and refuses bad signatures', async () => {
    const r = await raw()
    r.send({ event: 'pusher:subscribe', data: { channel: 'private-raw', auth: auth(r.socketId, 'private-raw').auth } })
    await r.next('pusher_internal:subscription_succeeded', 'private-raw')

    r.send({ event: 'pusher:subscribe', data: { channel: 'private-raw2', auth: `${emulator.key}:${'0'.repeat(64)}` } })
    const bad = await r.next('pusher:error')
    expect(bad.data).toMatchObject({ code: null, message: expect.stringMatching(/^Invalid signature/) })
    r.send({ event: 'pusher:subscribe', data: { channel: 'private-raw3' } })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/auth is required/)
    // A signature for another socket is refused too.
    r.send({ event: 'pusher:subscribe', data: { channel: 'private-raw4', auth: auth('1.1', 'private-raw4').auth } })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/Invalid signature/)
    const channels = await (await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-raw' } })).json()
    expect(channels).toEqual({ channels: { 'private-raw': {} } })
  })

  it('refuses bad channel names on subscribe with a subscription error scoped to the channel', async () => {
    const r = await raw()
    r.send({ event: 'pusher:subscribe', data: { channel: 'bad channel' } })
    const bad = await r.next('pusher:subscription_error', 'bad channel')
    expect(JSON.parse(bad.data as string)).toEqual({
      type: 'InvalidChannel',
      error: "Invalid channel: channel name 'bad channel' may only contain A-Z, a-z, 0-9 and _ - = @ , . ;",
      status: 4009,
    })
    const long = 'x'.repeat(165)
    r.send({ event: 'pusher:subscribe', data: { channel: long } })
    expect(JSON.parse((await r.next('pusher:subscription_error', long)).data as string)).toMatchObject({
      error: 'Invalid channel: channel name is 165 characters; the maximum is 164',
    })
    // Nothing connection-wide: the first pusher:error is the one for the subscribe without a channel.
    r.send({ event: 'pusher:subscribe', data: {} })
    expect((await r.next('pusher:error')).data).toMatchObject({ message: expect.stringMatching(/data.channel/) })
    expect(r.has('pusher:error')).toBe(false)
  })

  it('pusher-js raises a bad channel name on the channel, not on the connection', async () => {
    const s = await open()
    const connectionErrors: unknown[] = []
    s.connection.bind('error', (error: unknown) => connectionErrors.push(error))
    await expect(subscribed(s, 'bad channel')).rejects.toThrow(
      'subscription_error {"type":"InvalidChannel","error":"Invalid channel: channel name \'bad channel\' may only contain A-Z, a-z, 0-9 and _ - = @ , . ;","status":4009}',
    )
    // A later subscription on the same connection works, and nothing reached the connection.
    await subscribed(s, 'good-channel')
    expect(connectionErrors).toEqual([])
    expect(s.connection.state).toBe('connected')
  })

  it('gives every connection a socket id of two random numbers, unique', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => raw()))
    const ids = clients.map((c) => c.socketId)
    for (const id of ids) expect(id).toMatch(/^\d+\.\d+$/)
    expect(new Set(ids).size).toBe(20)
    // No shared prefix and no counter: 20 draws from 10^10 repeat a part with odds of about 2 in 10^8.
    expect(new Set(ids.map((id) => id.split('.')[0])).size).toBe(20)
    expect(new Set(ids.map((id) => id.split('.')[1])).size).toBe(20)
    const seconds = ids.map((id) => Number(id.split('.')[1])).sort((a, b) => a - b)
    expect(seconds.at(-1)! - seconds[0]!).toBeGreaterThan(20)
  })

  it('tracks presence members by user, not connection', async () => {
    const alice = await open({ userId: 'alice', userInfo: { name: 'Alice' } })
    const members = (await subscribed(alice, 'presence-room')) as Members
    expect(members.count).toBe(1)
    expect(members.me?.id).toBe('alice')

    const added: string[] = []
    const removed: string[] = []
    alice.channel('presence-room').bind('pusher:member_added', (m: { id: string }) => added.push(m.id))
    alice.channel('presence-room').bind('pusher:member_removed', (m: { id: string }) => removed.push(m.id))

    const bob1 = await open({ userId: 'bob', userInfo: { name: 'Bob' } })
    const bobMembers = (await subscribed(bob1, 'presence-room')) as Members
    expect(bobMembers.count).toBe(2)
    const seen: Record<string, unknown> = {}
    bobMembers.each((m) => (seen[m.id] = m.info))
    expect(seen).toEqual({ alice: { name: 'Alice' }, bob: { name: 'Bob' } })
    await eventually(() => (added.length === 1 ? true : undefined))

    const bob2 = await open({ userId: 'bob', userInfo: { name: 'Bob' } })
    expect(((await subscribed(bob2, 'presence-room')) as Members).count).toBe(2)
    const info = await (await sdk.get({ path: '/channels/presence-room', params: { info: 'user_count' } })).json()
    expect(info).toEqual({ occupied: true, user_count: 2 })

    bob1.disconnect()
    // Still one bob connection: no member_removed. A marker event proves ordering.
    const marker = nextEvent(alice, 'presence-room', 'marker')
    await eventually(async () => {
      const list = (await (await sdk.get({ path: '/channels/presence-room/users' })).json()) as { users: unknown[] }
      return list.users.length === 2 ? true : undefined
    })
    await sdk.trigger('presence-room', 'marker', {})
    await marker
    expect(removed).toEqual([])
    bob2.disconnect()
    await eventually(() => (removed.length === 1 ? true : undefined))
    expect(added).toEqual(['bob'])
    expect(removed).toEqual(['bob'])
  })

  it("sends presence subscription data in Pusher's shape over the wire", async () => {
    const r = await raw()
    const channelData = { user_id: 'raw-user', user_info: { n: 1 } }
    const a = auth(r.socketId, 'presence-shape', channelData)
    r.send({
      event: 'pusher:subscribe',
      data: { channel: 'presence-shape', auth: a.auth, channel_data: a.channel_data },
    })
    const ok = await r.next('pusher_internal:subscription_succeeded', 'presence-shape')
    expect(typeof ok.data).toBe('string')
    expect(JSON.parse(ok.data as string)).toEqual({
      presence: { ids: ['raw-user'], hash: { 'raw-user': { n: 1 } }, count: 1 },
    })

    const r2 = await raw()
    const b = auth(r2.socketId, 'presence-shape', { user_id: 'second' })
    r2.send({
      event: 'pusher:subscribe',
      data: { channel: 'presence-shape', auth: b.auth, channel_data: b.channel_data },
    })
    const added = await r.next('pusher_internal:member_added', 'presence-shape')
    expect(JSON.parse(added.data as string)).toEqual({ user_id: 'second', user_info: null })
    r2.close()
    const removed = await r.next('pusher_internal:member_removed', 'presence-shape')
    expect(JSON.parse(removed.data as string)).toEqual({ user_id: 'second' })

    // channel_data that does not match the signature is refused.
    const r3 = await raw()
    const c = auth(r3.socketId, 'presence-shape', { user_id: 'honest' })
    r3.send({
      event: 'pusher:subscribe',
      data: { channel: 'presence-shape', auth: c.auth, channel_data: JSON.stringify({ user_id: 'impostor' }) },
    })
    expect(((await r3.next('pusher:error')).data as { message: string }).message).toMatch(/Invalid signature/)
  })

  it('refuses the 101st presence member but not another connection of a member', async () => {
    const clients: RawClient[] = []
    for (let i = 0; i < 101; i++) clients.push(await raw())
    const join = (r: RawClient, userId: string): void => {
      const a = auth(r.socketId, 'presence-full', { user_id: userId })
      r.send({
        event: 'pusher:subscribe',
        data: { channel: 'presence-full', auth: a.auth, channel_data: a.channel_data },
      })
    }
    for (let i = 0; i < 100; i++) join(clients[i] as RawClient, `user-${i}`)
    for (let i = 0; i < 100; i++)
      await (clients[i] as RawClient).next('pusher_internal:subscription_succeeded', 'presence-full')
    const last = clients[100] as RawClient
    join(last, 'user-100')
    const refused = await last.next('pusher:subscription_error', 'presence-full')
    expect(JSON.parse(refused.data as string)).toMatchObject({ type: 'LimitReached', status: 4100 })
    const error = await last.next('pusher:error')
    expect(error.data).toMatchObject({ code: 4100 })
    // A second connection of an existing member still fits.
    const extra = await raw()
    join(extra, 'user-7')
    await extra.next('pusher_internal:subscription_succeeded', 'presence-full')
    const count = await (await sdk.get({ path: '/channels/presence-full', params: { info: 'user_count' } })).json()
    expect(count).toEqual({ occupied: true, user_count: 100 })
  })

  it('refuses the 101st member through pusher-js as a subscription error', async () => {
    const small = await withEmulator({ presenceLimit: 2 })
    try {
      const make = async (userId: string) => {
        const s = client(small, { userId })
        sockets.push(s)
        await connected(s)
        return s
      }
      await subscribed(await make('a'), 'presence-small')
      await subscribed(await make('b'), 'presence-small')
      const third = await make('c')
      await expect(subscribed(third, 'presence-small')).rejects.toThrow(/LimitReached/)
    } finally {
      for (const s of sockets.splice(0)) s.disconnect()
      await small.close()
    }
  })

  it('delivers client events to others, not to the sender, only on private and presence channels', async () => {
    const a = await open({ userId: 'ca' })
    const b = await open({ userId: 'cb' })
    await subscribed(a, 'private-chat')
    await subscribed(b, 'private-chat')
    await subscribed(a, 'presence-chat')
    await subscribed(b, 'presence-chat')
    const echoed: unknown[] = []
    a.channel('private-chat').bind('client-typing', (d: unknown) => echoed.push(d))

    const toB = nextEvent(b, 'private-chat', 'client-typing')
    expect(a.channel('private-chat').trigger('client-typing', { who: 'a' })).toBe(true)
    expect(await toB).toEqual({ who: 'a' })

    const presenceToB = new Promise<{ data: unknown; meta: unknown }>((resolve) =>
      b.channel('presence-chat').bind('client-wave', (data: unknown, meta: unknown) => resolve({ data, meta })),
    )
    a.channel('presence-chat').trigger('client-wave', { hi: 1 })
    const wave = await presenceToB
    expect(wave.data).toEqual({ hi: 1 })
    expect(wave.meta).toEqual({ user_id: 'ca' })

    // Round trip through the server so any echo would have arrived.
    const marker = nextEvent(a, 'private-chat', 'marker')
    await sdk.trigger('private-chat', 'marker', {})
    await marker
    expect(echoed).toEqual([])

    const r = await raw()
    r.send({ event: 'pusher:subscribe', data: { channel: 'public-chat' } })
    await r.next('pusher_internal:subscription_succeeded')
    r.send({ event: 'client-nope', channel: 'public-chat', data: {} })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/private and presence/)
    r.send({ event: 'client-nope', channel: 'private-not-mine', data: {} })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/not subscribed/)
  })

  it('rate-limits client events per connection', async () => {
    const sender = await raw()
    const listener = await raw()
    for (const r of [sender, listener]) {
      r.send({
        event: 'pusher:subscribe',
        data: { channel: 'private-rate', auth: auth(r.socketId, 'private-rate').auth },
      })
      await r.next('pusher_internal:subscription_succeeded')
    }
    for (let i = 0; i < 25; i++) sender.send({ event: 'client-burst', channel: 'private-rate', data: { i } })
    sender.send({ event: 'pusher:ping', data: {} })
    await sender.next('pusher:pong')
    const errors = sender.frames.filter((f) => f.event === 'pusher:error')
    expect(errors.length).toBeGreaterThanOrEqual(5)
    for (const e of errors) expect(e.data).toMatchObject({ code: 4301 })
    const delivered = 25 - errors.length
    await eventually(() =>
      listener.frames.filter((f) => f.event === 'client-burst').length === delivered ? true : undefined,
    )
    expect(delivered).toBeLessThanOrEqual(20)
  })

  it('survives malformed frames, unknown events and oversized messages', async () => {
    const r = await raw()
    r.send('this is not json')
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/JSON/)
    r.send('[1,2]')
    await r.next('pusher:error')
    r.send({ event: 'pusher:nonsense', data: {} })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/Unsupported event/)
    r.send({ event: 'whatever', data: {} })
    await r.next('pusher:error')
    r.send({ event: 'pusher:ping', data: 'x'.repeat(11 * 1024) })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/10240 byte limit/)
    r.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(((await r.next('pusher:error')).data as { message: string }).message).toMatch(/Binary/)
    r.send({ event: 'pusher:ping', data: {} })
    await r.next('pusher:pong')
    expect(r.closeCode).toBeNull()
    expect((await sdk.get({ path: '/channels' })).status).toBe(200)
  })

  it("refuses unknown app keys, missing or unsupported protocols and bad paths with Pusher's codes", async () => {
    const cases: Array<[string, number]> = [
      [`/app/not-the-key?protocol=7&client=js&version=8.6.0`, 4001],
      [`/app/${emulator.key}?client=js&version=8.6.0`, 4008],
      [`/app/${emulator.key}?protocol=3&client=js&version=8.6.0`, 4007],
      [`/app/${emulator.key}?protocol=7&client=js&version=not~a~version`, 4006],
      [`/nowhere?protocol=7`, 4005],
    ]
    for (const [path, code] of cases) {
      const r = new RawClient(`ws://127.0.0.1:${emulator.port}${path}`)
      const error = await r.next('pusher:error').catch(() => null)
      expect(error?.data).toMatchObject({ code })
      expect(await r.closed()).toBe(code)
    }
    const wrong = new PusherJs('not-the-key', {
      cluster: 'x',
      wsHost: '127.0.0.1',
      wsPort: emulator.port,
      forceTLS: false,
      enabledTransports: ['ws'],
    })
    sockets.push(wrong)
    const failure = await connectionError(wrong)
    expect(failure.code).toBe(4001)
  })
})

describe('emulator liveness', () => {
  it('pings idle connections and closes them with 4201 when no pong comes back', async () => {
    const emulator = await withEmulator({ activityTimeoutSec: 0.2, pongTimeoutSec: 0.2 })
    try {
      const silent = await RawClient.open(emulator, undefined, { autoPong: false })
      const polite = await RawClient.open(emulator)
      expect(await silent.closed()).toBe(4201)
      expect(polite.closeCode).toBeNull()
      polite.close()
    } finally {
      await emulator.close()
    }
  })
})
