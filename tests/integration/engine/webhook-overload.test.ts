// A webhook receiver that can't keep up says so with 503 (Pusher sends the batch again) instead of
// accepting events it can't apply, and never loses one it accepted. Real receiver over HTTP, real
// presence state and history, the emulator for the first snapshot.
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChannelsClient } from '../../../src/core/channels/client.ts'
import { HistoryStore } from '../../../src/core/history/history-store.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { PresenceState } from '../../../src/core/presence/presence-state.ts'
import { SyncLoop, type SyncTick } from '../../../src/core/sync/sync-loop.ts'
import { webhookVerifier } from '../../../src/core/sync/webhook-receiver.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { compileConvention, DEFAULT_CONVENTION } from '../../../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS, type SyncStatus } from '../../../src/shared/sync.ts'
import { freePort } from './engine-harness.ts'

let emulator: RunningEmulator
let dir: string
let history: HistoryStore
let loop: SyncLoop | null = null
beforeEach(async () => {
  emulator = await startEmulator({ logger: { info() {}, warn() {}, error() {} } })
  dir = mkdtempSync(join(tmpdir(), 'headcount-webhook-overload-'))
  history = HistoryStore.open(join(dir, 'history.sqlite'))
})
afterEach(async () => {
  await loop?.stop()
  loop = null
  await history.close()
  await emulator.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Started {
  loop: SyncLoop
  ticks: SyncTick[]
  statuses: SyncStatus[]
  presence: PresenceState
  post(channels: string[], name?: string): Promise<Response>
  /** A signed batch as Pusher sends it: one `time_ms` for its events. */
  postEvents(time: number, events: Array<{ name: string; channel: string }>): Promise<Response>
}

/**
 * A sync loop in webhook mode with a queue of `maxQueued` events. `store` runs for each tick after it is
 * handed on (default: the history): the test holds it to play a slow disk.
 */
async function startLoop(options: {
  maxQueued: number
  flushMs: number
  store?: (tick: SyncTick) => Promise<void>
}): Promise<Started> {
  const convention = compileConvention(DEFAULT_CONVENTION)
  const presence = new PresenceState(convention)
  const ticks: SyncTick[] = []
  const statuses: SyncStatus[] = []
  const webhookPort = await freePort()
  const credentials = {
    appId: emulator.appId,
    key: emulator.key,
    secret: emulator.secret,
    target: { kind: 'host' as const, host: '127.0.0.1', port: emulator.port, useTLS: false },
  }
  const started = new SyncLoop({
    client: new ChannelsClient(credentials),
    presence,
    prefix: convention.prefix,
    options: { ...DEFAULT_SYNC_OPTIONS, mode: 'webhook', webhookPort },
    onTick: async (tick) => {
      ticks.push(tick)
      await (options.store ?? ((t: SyncTick) => history.recordTick({ ...t.result })))(tick)
    },
    onGap: (gap) => void history.recordGap(gap),
    onStatus: (status) => statuses.push(status),
    verifyWebhook: webhookVerifier(credentials),
    logger: silentLogger,
    webhookFlushMs: options.flushMs,
    maxQueuedWebhookEvents: options.maxQueued,
  })
  loop = started
  await started.start()
  await until(() => (started.current.lastSuccessAt !== null ? true : undefined), 'the first snapshot')
  const postEvents = (time: number, events: Array<{ name: string; channel: string }>) => {
    const body = JSON.stringify({ time_ms: time, events })
    return fetch(`http://127.0.0.1:${webhookPort}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Pusher-Key': emulator.key,
        'X-Pusher-Signature': createHmac('sha256', emulator.secret).update(body).digest('hex'),
      },
      body,
    })
  }
  const post = (channels: string[], name = 'channel_occupied') =>
    postEvents(
      Date.now(),
      channels.map((channel) => ({ name, channel })),
    )
  return { loop: started, ticks, statuses, presence, post, postEvents }
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const people = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `private-lobby-p${String(from + i).padStart(3, '0')}`)

describe('a webhook receiver under overload', () => {
  it('answers 503 with Retry-After beyond its queue, and applies every batch it accepted', async () => {
    // No flush while posting: everything accepted waits in the queue.
    const { loop: running, ticks, presence, post } = await startLoop({ maxQueued: 50, flushMs: 3_600_000 })
    expect((await post(people(0, 20))).status).toBe(200)
    expect((await post(people(20, 20))).status).toBe(200)
    const refused = await post(people(40, 20))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.text()).toMatch(/waiting to be applied/)
    // What still fits is accepted: 40 + 10 = 50.
    expect((await post(people(60, 10))).status).toBe(200)
    expect((await post(people(70, 1))).status).toBe(503)

    // Stopping applies what was accepted (Pusher won't send it again), and only that.
    await running.stop()
    const joined = ticks.flatMap((tick) => tick.result.joins.map((member) => member.user)).sort()
    expect(joined).toEqual(
      [...people(0, 40), ...people(60, 10)].map((channel) => channel.slice('private-lobby-'.length)),
    )
    expect(presence.memberCount()).toBe(50)
    expect(running.current.webhook).toMatchObject({ received: 3, rejected: 0 })
    // And the history has every one of them.
    expect(history.countSessions()).toBe(50)
  }, 60_000)

  it('counts events of a tick still being stored against the queue, so a slow disk means 503, not loss', async () => {
    const held: Array<() => void> = []
    const store = (tick: SyncTick) =>
      tick.source !== 'webhook'
        ? history.recordTick({ ...tick.result })
        : new Promise<void>((resolve) => {
            held.push(() => void history.recordTick({ ...tick.result }).then(resolve))
          })
    const { loop: running, ticks, presence, post } = await startLoop({ maxQueued: 50, flushMs: 100, store })
    // The first snapshot's tick (a poll) is among the ticks too: these count the webhook ticks alone.
    const webhookTicks = () => ticks.filter((tick) => tick.source === 'webhook').length
    expect((await post(people(0, 20))).status).toBe(200)
    await until(() => (webhookTicks() === 1 ? true : undefined), 'the first tick handed on')
    // The next tick is applied while the first is being stored: the console stays current.
    expect((await post(people(20, 20))).status).toBe(200)
    await until(() => (webhookTicks() === 2 ? true : undefined), 'the second tick handed on')
    expect(presence.memberCount()).toBe(40)
    // 40 events are not stored yet: 20 more would pass the bound.
    expect((await post(people(40, 20))).status).toBe(503)
    expect((await post(people(40, 10))).status).toBe(200)
    // The disk catches up: room again, and Pusher's next attempt is taken.
    const releasing = setInterval(() => {
      for (const release of held.splice(0)) release()
    }, 10)
    try {
      let answer = 503
      for (let attempt = 0; attempt < 200 && answer === 503; attempt++) {
        answer = (await post(people(50, 20))).status
        if (answer === 503) await new Promise((resolve) => setTimeout(resolve, 25))
      }
      expect(answer).toBe(200)
      await until(() => (presence.memberCount() === 70 ? true : undefined), 'everything accepted applied')
      // Stopping waits for every tick to be stored.
      await running.stop()
    } finally {
      clearInterval(releasing)
    }
    expect(ticks.reduce((sum, tick) => sum + tick.result.joins.length, 0)).toBe(70)
    expect(history.countSessions()).toBe(70)
  }, 60_000)
})

describe('a webhook tick larger than one slice', () => {
  it('is applied whole and in time order, whatever order its batches arrived in', async () => {
    const { loop: running, ticks, presence, postEvents } = await startLoop({ maxQueued: 100_000, flushMs: 3_600_000 })
    const now = Date.now()
    const crowd = people(0, 3000)
    // The leaves of the first 1,000 arrive before the joins, and the joins in two batches across slices.
    const leaves = crowd.slice(0, 1000).map((channel) => ({ name: 'channel_vacated', channel }))
    expect((await postEvents(now + 20, leaves)).status).toBe(200)
    const joins = crowd.map((channel) => ({ name: 'channel_occupied', channel }))
    expect((await postEvents(now + 10, joins.slice(1500))).status).toBe(200)
    expect((await postEvents(now + 10, joins.slice(0, 1500))).status).toBe(200)
    await running.stop()
    const tick = ticks.find((candidate) => candidate.source === 'webhook')
    expect(tick?.result.joins).toHaveLength(3000)
    expect(tick?.result.leaves).toHaveLength(1000)
    expect(tick?.result.total).toBe(2000)
    expect(tick?.result.rooms).toEqual([{ room: 'lobby', count: 2000, groups: {} }])
    expect(presence.memberCount()).toBe(2000)
    expect(history.countSessions()).toBe(3000)
  }, 60_000)
})
