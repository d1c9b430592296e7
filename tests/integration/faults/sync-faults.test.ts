// The sync against the emulator through the fault proxy: every way an answer can break leaves `ok`
// within the request deadline, in words, with a gap in the history, and recovers once the proxy is
// healthy again; disconnecting never waits for an answer that is not coming.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { TOTAL_SERIES } from '../../../src/shared/history.ts'
import type { Status } from '../../../src/shared/status.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { EngineHarness } from '../engine/engine-harness.ts'
import { FaultProxy, type FaultMode } from '../support/fault-proxy.ts'

/** Each request's deadline, headers and body together. */
const DEADLINE_MS = 2000
const CHANNEL_LIST = { match: ({ path }: { path: string }) => path.endsWith('/channels') }

let emulator: RunningEmulator
let proxy: FaultProxy
let harness: EngineHarness

beforeEach(async () => {
  emulator = await startEmulator()
  // Enough channels that the list is a few hundred bytes: a drip of 4 bytes each 250 ms takes ~30 s.
  emulator.injectMany(Array.from({ length: 12 }, (_, i) => ({ channel: `private-lobby-user${i}` })))
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
    sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
  })
  await harness.handlers['connection.connect']({ id: profile.id })
  await harness.until(
    () => harness.handlers['status.get'](undefined),
    (status) => status.sync?.state === 'ok' && status.sync.participants === 12,
    'the first good poll',
  )
  return profile.id
}

const status = () => harness.handlers['status.get'](undefined) as Status

describe('sync through a faulty network', () => {
  it.each<[FaultMode, string, RegExp]>([
    ['truncate', 'truncated', /cut short.*of \d+ bytes/],
    ['stall', 'timeout', /did not finish within 2 s/],
    ['drip', 'timeout', /did not finish within 2 s/],
    ['reset', 'network', /connection was reset/],
    ['5xx', 'server-error', /HTTP 503/],
    ['429', 'rate-limited', /Rate limited/],
    ['error-200', 'server-error', /inside an HTTP 200 answer/],
  ])('%s: leaves ok in words, records a gap, and recovers', async (mode, kind, message) => {
    await connectThroughProxy()
    const lastGood = status().sync?.lastSuccessAt ?? 0
    proxy.set(mode, { ...CHANNEL_LIST, dripBytes: 4, dripEveryMs: 250 })

    // Within the deadline plus the next poll, with plenty to spare on a loaded machine.
    const failing = await harness.until(
      status,
      (s) => s.sync?.state === 'failing',
      `the sync to fail under ${mode}`,
      20_000,
    )
    expect(failing.connection).toBe('error')
    expect(failing.sync?.error).toMatchObject({ kind })
    expect(failing.sync?.error?.message).toMatch(message)
    expect(failing.sync?.error?.hint.length).toBeGreaterThan(10)
    expect(failing.sync?.lastSuccessAt).toBe(lastGood)
    expect(proxy.count(mode)).toBeGreaterThan(0)

    proxy.set('healthy')
    harness.handlers['sync.now'](undefined)
    const recovered = await harness.until(
      status,
      (s) => s.sync?.state === 'ok' && (s.sync.lastSuccessAt ?? 0) > lastGood,
      'recovery',
      20_000,
    )
    expect(recovered.sync?.error).toBeNull()
    expect(recovered.sync?.participants).toBe(12)

    // The time it failed is a gap (null) in the history, never a zero.
    const [total] = await harness.handlers['history.series']({
      rooms: [],
      includeTotal: true,
      from: lastGood - 1000,
      to: (recovered.sync?.lastSuccessAt ?? 0) + 1,
      points: 1000,
    })
    expect(total?.room).toBe(TOTAL_SERIES)
    const values = total?.points.map((point) => point.value) ?? []
    expect(values).toContain(null)
    expect(values).not.toContain(0)
  })

  it.each<FaultMode>(['stall', 'drip'])(
    'disconnect answers at once while a %s answer is in flight',
    async (mode) => {
      // A long deadline, so only aborting the request can make the disconnect prompt.
      await harness.close()
      harness = new EngineHarness({ requestTimeoutMs: 60_000 })
      await connectThroughProxy()
      proxy.set(mode, CHANNEL_LIST)
      harness.handlers['sync.now'](undefined)
      await harness.until(
        () => proxy.holding,
        (n) => n > 0,
        'a held answer',
      )
      const disconnected = await Promise.race([
        harness.handlers['connection.disconnect'](undefined),
        new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 15_000)),
      ])
      expect(disconnected).toMatchObject({ connection: 'disconnected', sync: null })
      // The engine let go of the request rather than leaving it to the server.
      await harness.until(
        () => proxy.holding,
        (n) => n === 0,
        'the held answer released',
      )
    },
    40_000,
  )

  it('"sync now" while an answer stalls does not queue a second request, and the next poll comes after the deadline', async () => {
    await connectThroughProxy()
    proxy.set('stall', CHANNEL_LIST)
    const stalledBefore = proxy.count('stall')
    // Held, not only seen: the proxy counts a request as it arrives and holds it a moment later.
    await harness.until(
      () => proxy.holding,
      (n) => n === 1,
      'a stalled poll',
    )
    const stalled = proxy.count('stall')
    harness.handlers['sync.now'](undefined)
    harness.handlers['sync.now'](undefined)
    // Time for a second request to reach the proxy, were one sent; well inside the deadline.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(proxy.count('stall')).toBe(stalled)
    expect(proxy.holding).toBe(1)
    // After the deadline the loop tries again by itself: it is not frozen.
    await harness.until(
      () => proxy.count('stall'),
      (n) => n > stalledBefore + 1,
      'a retry after the deadline',
      20_000,
    )
  })
})
