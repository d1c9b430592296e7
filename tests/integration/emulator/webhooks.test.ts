import { afterEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import type { EmulatorOptions } from '../../../src/emulator/options.ts'
import {
  client,
  connected,
  eventually,
  type PusherJs,
  serverSdk,
  subscribed,
  WebhookReceiver,
  withEmulator,
} from './helpers.ts'

type Hook = Record<string, string>

describe('emulator webhooks', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  const setup = async (options: EmulatorOptions = {}, receivers = 1) => {
    const hooks: WebhookReceiver[] = []
    for (let i = 0; i < receivers; i++) {
      const r = await new WebhookReceiver().start()
      hooks.push(r)
      cleanups.push(() => r.stop())
    }
    const emulator = await withEmulator({ webhooks: hooks.map((h) => h.url), ...options })
    cleanups.push(() => emulator.close())
    return { emulator, hooks, receiver: hooks[0] as WebhookReceiver }
  }
  const open = async (emulator: RunningEmulator, userId?: string): Promise<PusherJs> => {
    const s = client(emulator, userId === undefined ? {} : { userId })
    cleanups.push(() => s.disconnect())
    await connected(s)
    return s
  }
  const until = (receiver: WebhookReceiver, predicate: (events: Hook[]) => boolean): Promise<Hook[]> =>
    eventually(() => (predicate(receiver.events()) ? receiver.events() : undefined))
  const named = (events: Hook[], channel: string) => events.filter((e) => e.channel === channel).map((e) => e.name)

  it("signs every webhook so the SDK's own webhook().isValid() accepts it", async () => {
    const { emulator, receiver } = await setup()
    const s = await open(emulator)
    await subscribed(s, 'signed-channel')
    await until(receiver, (events) => events.length > 0)
    const sdk = serverSdk(emulator)
    for (const hook of receiver.received) {
      expect(hook.headers['content-type']).toBe('application/json')
      expect(hook.headers['x-pusher-key']).toBe(emulator.key)
      const webhook = sdk.webhook({ headers: hook.headers as Record<string, string>, rawBody: hook.rawBody })
      expect(webhook.isValid()).toBe(true)
      expect(typeof webhook.getData().time_ms).toBe('number')
      // A tampered body fails validation.
      expect(
        sdk
          .webhook({
            headers: hook.headers as Record<string, string>,
            rawBody: hook.rawBody.replace('signed', 'forged'),
          })
          .isValid(),
      ).toBe(false)
    }
    expect(receiver.events()).toContainEqual({ name: 'channel_occupied', channel: 'signed-channel' })
  })

  it('sends channel_occupied, then channel_vacated after the vacate delay', async () => {
    const { emulator, receiver } = await setup({ vacateDelayMs: 100 })
    const s = await open(emulator)
    await subscribed(s, 'private-occ')
    await until(receiver, (e) => named(e, 'private-occ').includes('channel_occupied'))
    s.unsubscribe('private-occ')
    // Still listed as vacated only after the delay; meanwhile the HTTP API already reports it empty.
    await eventually(async () => {
      const info = (await (await serverSdk(emulator).get({ path: '/channels/private-occ' })).json()) as {
        occupied: boolean
      }
      return info.occupied ? undefined : true
    })
    const events = await until(receiver, (e) => named(e, 'private-occ').includes('channel_vacated'))
    expect(named(events, 'private-occ')).toEqual(['channel_occupied', 'channel_vacated'])
  })

  it('sends nothing when a subscriber comes back within the vacate delay', async () => {
    const { emulator, receiver } = await setup({ vacateDelayMs: 400 })
    const a = await open(emulator)
    await subscribed(a, 'private-blip')
    await until(receiver, (e) => named(e, 'private-blip').length === 1)
    // The second client is connected beforehand so the comeback is well inside the delay.
    const b = await open(emulator)
    a.disconnect()
    await subscribed(b, 'private-blip')
    // Leave for real now; the only events must be the first occupied and this final vacated.
    b.unsubscribe('private-blip')
    const events = await until(receiver, (e) => named(e, 'private-blip').includes('channel_vacated'))
    expect(named(events, 'private-blip')).toEqual(['channel_occupied', 'channel_vacated'])
  })

  it('sends member_added and member_removed once per user, with a quick rejoin sending nothing', async () => {
    const { emulator, receiver } = await setup({ vacateDelayMs: 300 })
    const watcher = await open(emulator, 'watcher')
    await subscribed(watcher, 'presence-hooks')
    const first = await open(emulator, 'dana')
    const second = await open(emulator, 'dana')
    await subscribed(first, 'presence-hooks')
    await subscribed(second, 'presence-hooks')
    first.disconnect()
    second.disconnect()
    const events = await until(receiver, (e) => e.some((x) => x.name === 'member_removed' && x.user_id === 'dana'))
    const dana = events.filter((e) => e.user_id === 'dana')
    expect(dana).toEqual([
      { name: 'member_added', channel: 'presence-hooks', user_id: 'dana' },
      { name: 'member_removed', channel: 'presence-hooks', user_id: 'dana' },
    ])
    // Quick rejoin: the pending member_removed is cancelled and no new member_added is sent.
    const again = await open(emulator, 'erin')
    await subscribed(again, 'presence-hooks')
    await until(receiver, (e) => e.some((x) => x.name === 'member_added' && x.user_id === 'erin'))
    const back = await open(emulator, 'erin')
    again.disconnect()
    await subscribed(back, 'presence-hooks')
    watcher.disconnect()
    back.disconnect()
    const all = await until(receiver, (e) => named(e, 'presence-hooks').includes('channel_vacated'))
    expect(all.filter((e) => e.user_id === 'erin').map((e) => e.name)).toEqual(['member_added', 'member_removed'])
  })

  it('sends client_event webhooks with user_id on presence channels', async () => {
    const { emulator, receiver } = await setup()
    const a = await open(emulator, 'talker')
    const b = await open(emulator, 'listener')
    await subscribed(a, 'presence-talk')
    await subscribed(b, 'presence-talk')
    a.channel('presence-talk').trigger('client-say', { words: 'hi' })
    const events = await until(receiver, (e) => e.some((x) => x.name === 'client_event'))
    expect(events.find((e) => e.name === 'client_event')).toEqual({
      name: 'client_event',
      channel: 'presence-talk',
      event: 'client-say',
      data: '{"words":"hi"}',
      socket_id: a.connection.socket_id,
      user_id: 'talker',
    })
  })

  it('batches up to the batch size, and flushes a partial batch after the window', async () => {
    const { emulator, receiver } = await setup({ webhookBatchSize: 5, webhookBatchMs: 60_000 })
    for (let i = 0; i < 12; i++) emulator.inject(`private-batch-${i}`)
    await eventually(() => (receiver.received.length === 2 ? true : undefined))
    expect(receiver.received.map((w) => w.body.events.length)).toEqual([5, 5])

    const quick = await setup({ webhookBatchSize: 20, webhookBatchMs: 30 })
    for (let i = 0; i < 3; i++) quick.emulator.inject(`private-quick-${i}`)
    await eventually(() => (quick.receiver.received.length === 1 ? true : undefined))
    expect(quick.receiver.received[0]?.body.events).toHaveLength(3)
  })

  it('retries with backoff when the receiver fails, and delivers to every URL', async () => {
    const { emulator, hooks } = await setup({ webhookRetryBaseMs: 10, webhookMaxAttempts: 5 }, 2)
    const [flaky, steady] = hooks as [WebhookReceiver, WebhookReceiver]
    flaky.failures = [500, 503]
    emulator.inject('private-retry')
    // Done when the sender has settled the batch for both URLs (delivered or given up), not when the
    // flaky receiver has it: the sender counts a delivery only once the answer is back, which under
    // load comes after the receiver has recorded the request.
    await eventually(() => {
      const { delivered, abandoned, inFlight } = emulator.stats().webhooks
      return delivered + abandoned === 2 && inFlight === 0 ? true : undefined
    })
    expect(flaky.attempts).toBe(3)
    expect(steady.attempts).toBe(1)
    expect(flaky.received).toHaveLength(1)
    expect(steady.received).toHaveLength(1)
    expect(flaky.received[0]?.rawBody).toBe(steady.received[0]?.rawBody)
    expect(emulator.stats().webhooks).toMatchObject({ delivered: 2, failedAttempts: 2, abandoned: 0 })
  })

  it('gives up after the bounded attempts and keeps serving while a receiver is down', async () => {
    const dead = await new WebhookReceiver().start()
    const deadUrl = dead.url
    await dead.stop()
    const { emulator, receiver } = await setup({ webhooks: [deadUrl], webhookRetryBaseMs: 5, webhookMaxAttempts: 3 })
    expect(receiver.received).toEqual([])
    emulator.inject('private-dead')
    await eventually(() => (emulator.stats().webhooks.abandoned === 1 ? true : undefined))
    expect(emulator.stats().webhooks.failedAttempts).toBe(3)
    const response = await serverSdk(emulator).get({ path: '/channels' })
    expect(await response.json()).toEqual({ channels: { 'private-dead': {} } })
  })

  it('gives injected members exactly the webhooks of socket members', async () => {
    const { emulator, receiver } = await setup({ vacateDelayMs: 50 })
    const viaSocket = await open(emulator, 'sam')
    await subscribed(viaSocket, 'presence-same-a')
    viaSocket.disconnect()
    const handle = emulator.inject('presence-same-b', { userId: 'sam', userInfo: { name: 'Sam' } })
    emulator.removeInjected(handle)
    const events = await until(
      receiver,
      (e) =>
        named(e, 'presence-same-a').includes('channel_vacated') &&
        named(e, 'presence-same-b').includes('channel_vacated'),
    )
    const shape = (channel: string) =>
      events.filter((e) => e.channel === channel).map(({ channel: _c, ...rest }) => rest)
    expect(shape('presence-same-b')).toEqual(shape('presence-same-a'))
    expect(shape('presence-same-a')).toEqual([
      { name: 'channel_occupied' },
      { name: 'member_added', user_id: 'sam' },
      { name: 'member_removed', user_id: 'sam' },
      { name: 'channel_vacated' },
    ])
  })
})
