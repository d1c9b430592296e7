import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import type { EmulatorOptions } from '../../../src/emulator/options.ts'
import {
  client,
  connected,
  eventually,
  Pusher,
  PusherJs,
  serverSdk,
  signedFetch,
  WebhookReceiver,
  withEmulator,
} from './helpers.ts'

// Cache channels as Pusher documents them, heard through the official pusher-js and pusher SDKs.

interface Heard {
  event: string
  data: unknown
}

/** Subscribes and records, in order, subscription_succeeded and every event the channel raises. */
function record(socket: PusherJs, channelName: string): { heard: Heard[]; ready: Promise<void> } {
  const heard: Heard[] = []
  const channel = socket.subscribe(channelName)
  channel.bind_global((event: string, data: unknown) => heard.push({ event, data }))
  const ready = new Promise<void>((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve())
    channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(JSON.stringify(error))))
  })
  return { heard, ready }
}

const cacheInfo = async (sdk: Pusher, channel: string) =>
  (await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'cache' } })).json()) as {
    occupied: boolean
    cache: { data: string; ttl: number } | null
  }

describe('emulator cache channels', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  const setUp = async (options: EmulatorOptions = {}) => {
    const receiver = await new WebhookReceiver().start()
    cleanups.push(() => receiver.stop())
    const emulator = await withEmulator({ webhooks: [receiver.url], ...options })
    cleanups.push(() => emulator.close())
    return { emulator, receiver, sdk: serverSdk(emulator) }
  }
  const open = async (emulator: RunningEmulator, userId?: string): Promise<PusherJs> => {
    const socket = client(emulator, userId === undefined ? {} : { userId })
    cleanups.push(() => socket.disconnect())
    await connected(socket)
    return socket
  }

  it('hands the last triggered event to each new subscriber, right after subscription_succeeded', async () => {
    const { emulator, sdk } = await setUp()
    for (const channel of ['cache-lobby', 'private-cache-lobby']) {
      await sdk.trigger(channel, 'occupancy', { count: 1 })
      await sdk.trigger(channel, 'occupancy', { count: 2 })
      for (const user of ['ana', 'ben']) {
        const { heard, ready } = record(await open(emulator, user), channel)
        await ready
        await eventually(() => (heard.length >= 2 ? true : undefined))
        expect(heard).toEqual([
          { event: 'pusher:subscription_succeeded', data: {} },
          { event: 'occupancy', data: { count: 2 } },
        ])
      }
    }
    expect(emulator.stats().deliveries.cached_event).toBe(4)
  })

  it('hands a presence-cache channel its member list first, then the cached event', async () => {
    const { emulator, sdk } = await setUp()
    await sdk.trigger('presence-cache-stage', 'scene', { act: 3 })
    const { heard, ready } = record(await open(emulator, 'cy'), 'presence-cache-stage')
    await ready
    await eventually(() => (heard.length >= 2 ? true : undefined))
    expect(heard.map((h) => h.event)).toEqual(['pusher:subscription_succeeded', 'scene'])
    expect(heard[1]?.data).toEqual({ act: 3 })
  })

  it('relays a private-encrypted-cache event still encrypted, which pusher-js decrypts', async () => {
    const { emulator } = await setUp()
    const encryptionMasterKeyBase64 = randomBytes(32).toString('base64')
    const sdk = new Pusher({
      appId: emulator.appId,
      key: emulator.key,
      secret: emulator.secret,
      host: '127.0.0.1',
      port: String(emulator.port),
      useTLS: false,
      encryptionMasterKeyBase64,
    })
    await sdk.trigger('private-encrypted-cache-vault', 'secret', { code: 42 })
    const info = await cacheInfo(sdk, 'private-encrypted-cache-vault')
    // Kept as the SDK sent it: a nonce and a ciphertext, never the plaintext (`42` alone could be in the base64).
    const stored = JSON.parse(info.cache?.data ?? '{}') as Record<string, string>
    expect(Object.keys(stored).sort()).toEqual(['ciphertext', 'nonce'])
    expect(Buffer.from(stored.ciphertext ?? '', 'base64').toString('latin1')).not.toContain('"code":42')
    const socket = new PusherJs(emulator.key, {
      cluster: 'x',
      wsHost: '127.0.0.1',
      wsPort: emulator.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: (params, callback) => callback(null, sdk.authorizeChannel(params.socketId, params.channelName)),
      },
    })
    cleanups.push(() => socket.disconnect())
    const { heard, ready } = record(socket, 'private-encrypted-cache-vault')
    await ready
    await eventually(() => (heard.length >= 2 ? true : undefined))
    expect(heard[1]).toEqual({ event: 'secret', data: { code: 42 } })
  })

  it('sends pusher:cache_miss to each subscriber of an empty cache channel, and the app one cache_miss webhook', async () => {
    const { emulator, receiver, sdk } = await setUp()
    const first = record(await open(emulator), 'cache-empty')
    const second = record(await open(emulator), 'cache-empty')
    await Promise.all([first.ready, second.ready])
    for (const { heard } of [first, second]) {
      await eventually(() => (heard.length >= 2 ? true : undefined))
      expect(heard.map((h) => h.event)).toEqual(['pusher:subscription_succeeded', 'pusher:cache_miss'])
    }
    const hooks = await eventually(() => {
      const found = receiver.events().filter((e) => e.name === 'cache_miss')
      return found.length > 0 ? found : undefined
    })
    expect(hooks).toEqual([{ name: 'cache_miss', channel: 'cache-empty' }])
    // Batched and signed like every other webhook.
    const carrying = receiver.received.find((w) => w.body.events.some((e) => e.name === 'cache_miss'))
    expect(carrying).toBeDefined()
    expect(typeof carrying?.body.time_ms).toBe('number')
    expect(
      sdk.webhook({ headers: carrying?.headers as Record<string, string>, rawBody: carrying?.rawBody ?? '' }).isValid(),
    ).toBe(true)
    expect(emulator.stats().deliveries.cache_miss).toBe(2)
    // Filled, the next subscriber hears the value, not a miss.
    await sdk.trigger('cache-empty', 'occupancy', { count: 2 })
    const third = record(await open(emulator), 'cache-empty')
    await third.ready
    await eventually(() => (third.heard.length >= 2 ? true : undefined))
    expect(third.heard[1]).toEqual({ event: 'occupancy', data: { count: 2 } })
    expect(receiver.events().filter((e) => e.name === 'cache_miss')).toHaveLength(1)
  })

  it('forgets the cached event after its TTL', async () => {
    // Long enough that a loaded machine still subscribes within it, short enough to wait out.
    const { emulator, sdk } = await setUp({ cacheTtlMs: 3000 })
    await sdk.trigger('cache-short', 'tick', { n: 1 })
    expect((await cacheInfo(sdk, 'cache-short')).cache).toEqual({ data: '{"n":1}', ttl: expect.any(Number) })
    expect((await cacheInfo(sdk, 'cache-short')).cache?.ttl).toBeLessThanOrEqual(3)
    const early = record(await open(emulator), 'cache-short')
    await early.ready
    await eventually(() => (early.heard.length >= 2 ? true : undefined))
    expect(early.heard[1]).toEqual({ event: 'tick', data: { n: 1 } })
    await eventually(async () => ((await cacheInfo(sdk, 'cache-short')).cache === null ? true : undefined), 50)
    const late = record(await open(emulator), 'cache-short')
    await late.ready
    await eventually(() => (late.heard.length >= 2 ? true : undefined))
    expect(late.heard.map((h) => h.event)).toEqual(['pusher:subscription_succeeded', 'pusher:cache_miss'])
  })

  it('answers info=cache with the cached data and the TTL left, null when empty, over the official SDK', async () => {
    const { emulator, sdk } = await setUp()
    expect(await cacheInfo(sdk, 'cache-info')).toEqual({ occupied: false, cache: null })
    await sdk.trigger('cache-info', 'occupancy', { count: 7 })
    const info = await cacheInfo(sdk, 'cache-info')
    expect(info).toEqual({ occupied: false, cache: { data: '{"count":7}', ttl: expect.any(Number) } })
    expect(info.cache?.ttl).toBeGreaterThan(1790)
    expect(info.cache?.ttl).toBeLessThanOrEqual(1800)
    const socket = await open(emulator)
    await record(socket, 'cache-info').ready
    const both = (await (
      await sdk.get({ path: '/channels/cache-info', params: { info: 'cache,subscription_count' } })
    ).json()) as Record<string, unknown>
    expect(both).toMatchObject({ occupied: true, subscription_count: 1, cache: { data: '{"count":7}' } })
  })

  it('refuses info=cache where Pusher has no cache to report', async () => {
    const { emulator } = await setUp()
    const single = await signedFetch(emulator, '/channels/lobby', { params: { info: 'cache' } })
    expect(single.status).toBe(400)
    expect(single.text).toMatch(/only available for cache channels/)
    // GET /channels documents user_count only: the list never reports caches.
    const list = await signedFetch(emulator, '/channels', { params: { info: 'cache' } })
    expect(list.status).toBe(400)
    expect(list.text).toMatch(/Unsupported info attribute 'cache'/)
  })

  it('does not cache client events', async () => {
    const { emulator } = await setUp()
    const sender = await open(emulator)
    const { ready } = record(sender, 'private-cache-chat')
    await ready
    sender.channel('private-cache-chat').trigger('client-typing', { who: 'ana' })
    await eventually(() => (emulator.stats().published > 0 ? true : undefined))
    const late = record(await open(emulator), 'private-cache-chat')
    await late.ready
    await eventually(() => (late.heard.length >= 2 ? true : undefined))
    expect(late.heard.map((h) => h.event)).toEqual(['pusher:subscription_succeeded', 'pusher:cache_miss'])
  })
})
