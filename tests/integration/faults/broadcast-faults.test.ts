// The broadcaster against the emulator through the fault proxy: switching it off takes effect within
// one interval whatever the server does with the requests in flight.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { WITH_GROUPS } from '../broadcast/helpers.ts'
import { EngineHarness } from '../engine/engine-harness.ts'
import { FaultProxy, type FaultOptions, type FaultMode } from '../support/fault-proxy.ts'

const INTERVAL_MS = 5000
/** Far longer than an interval: only giving the request up can make switching off prompt. */
const DEADLINE_MS = 60_000

let emulator: RunningEmulator
let proxy: FaultProxy
let harness: EngineHarness

beforeEach(async () => {
  emulator = await startEmulator()
  emulator.injectMany(['ana', 'ben', 'cy'].map((user) => ({ channel: `private-lobby-red-${user}` })))
  proxy = await new FaultProxy(emulator.port).start()
  harness = new EngineHarness({ requestTimeoutMs: DEADLINE_MS })
})

afterEach(async () => {
  await harness.close()
  await proxy.close()
  await emulator.close()
})

async function connectThroughProxy(): Promise<string> {
  const profile = await harness.handlers['profiles.save']({
    name: 'through the fault proxy',
    connection: {
      appId: emulator.appId,
      key: emulator.key,
      target: { kind: 'host', host: '127.0.0.1', port: proxy.port, useTLS: false },
    },
    secret: emulator.secret,
    convention: WITH_GROUPS,
    sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
  })
  await harness.handlers['connection.connect']({ id: profile.id })
  await harness.until(
    () => harness.handlers['status.get'](undefined),
    (status) => status.sync?.participants === 3,
    'the first good poll',
  )
  return profile.id
}

/** Resolves with what `work` resolved with, or with 'not within one interval'. */
function withinOneInterval<T>(work: T | Promise<T>): Promise<T | 'not within one interval'> {
  return Promise.race([
    Promise.resolve(work),
    new Promise<'not within one interval'>((resolve) =>
      setTimeout(() => resolve('not within one interval'), INTERVAL_MS),
    ),
  ])
}

const batches = { match: ({ path }: { path: string }) => path.endsWith('/batch_events') }
const markerCheck = { match: ({ path }: { path: string }) => path.endsWith('/users') }

describe('switching the broadcaster off', () => {
  it.each<[string, FaultMode, FaultOptions]>([
    ['a stalled answer to a batch', 'stall', batches],
    ['a slow server answering a batch', 'slow', { ...batches, slowMs: 45_000 }],
    ['a dripping answer to a batch', 'drip', { ...batches, dripBytes: 1, dripEveryMs: 8000 }],
    ['a stalled check for another broadcaster', 'stall', markerCheck],
  ])(
    'takes effect within one interval against %s',
    async (_label, mode, options) => {
      const id = await connectThroughProxy()
      proxy.set(mode, options)
      void harness.handlers['broadcast.set']({ id, settings: { enabled: true, intervalMs: INTERVAL_MS } })
      await harness.until(
        () => proxy.holding,
        (n) => n > 0,
        'a request held by the proxy',
        15_000,
      )
      const off = await withinOneInterval(harness.handlers['broadcast.set']({ id, settings: { enabled: false } }))
      expect(off).toMatchObject({ enabled: false })
      const status = await harness.handlers['status.get'](undefined)
      expect(status.broadcast).toMatchObject({ enabled: false, state: 'off' })
      // The request was given up, not left to the server, and nothing is sent after.
      await harness.until(
        () => proxy.holding,
        (n) => n === 0,
        'the held request released',
      )
      const sent = proxy.seen.filter((seen) => seen.path.endsWith('/batch_events')).length
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(proxy.seen.filter((seen) => seen.path.endsWith('/batch_events')).length).toBe(sent)
    },
    60_000,
  )

  it('disconnecting while a batch stalls answers within one interval', async () => {
    const id = await connectThroughProxy()
    proxy.set('stall', batches)
    void harness.handlers['broadcast.set']({ id, settings: { enabled: true, intervalMs: INTERVAL_MS } })
    await harness.until(
      () => proxy.holding,
      (n) => n > 0,
      'a stalled batch',
      15_000,
    )
    const disconnected = await withinOneInterval(harness.handlers['connection.disconnect'](undefined))
    expect(disconnected).toMatchObject({ connection: 'disconnected' })
  }, 60_000)
})
