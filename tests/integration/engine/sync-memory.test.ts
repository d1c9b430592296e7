// A first sync of a million channels brings a body of some 35 MB: once the presence state has read it,
// the sync loop must not keep it alive while the tick is stored (which takes the longest).
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChannelsClient } from '../../../src/core/channels/client.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { PresenceState } from '../../../src/core/presence/presence-state.ts'
import type { IngestOptions } from '../../../src/core/presence/types.ts'
import { SyncLoop } from '../../../src/core/sync/sync-loop.ts'
import { compileConvention, DEFAULT_CONVENTION } from '../../../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { credentialsFor, FakeApi } from '../channels/fake-api.ts'

let api: FakeApi
let loop: SyncLoop | null = null
beforeEach(async () => {
  api = await new FakeApi().start()
})
afterEach(async () => {
  await loop?.stop()
  loop = null
  await api.stop()
})

describe('sync loop memory', () => {
  it('holds the response body no longer than the presence state reads it', async () => {
    setFlagsFromString('--expose-gc')
    const collect = runInNewContext('gc') as () => void
    const names = Array.from({ length: 20_000 }, (_, i) => `"private-room${i % 7}-u${i}":{}`)
    api.reply(200, `{"channels":{${names.join(',')}}}`)
    const convention = compileConvention(DEFAULT_CONVENTION)
    const presence = new PresenceState(convention)
    let body: WeakRef<Uint8Array> | null = null
    // The real state; only remembers (weakly) which body it was given.
    const ingest = presence.ingestChannelList.bind(presence)
    presence.ingestChannelList = (bytes: Uint8Array, at: number, options?: IngestOptions) => {
      body = new WeakRef(bytes)
      return ingest(bytes, at, options)
    }
    let freedWhileStoring: boolean | null = null
    let total = 0
    loop = new SyncLoop({
      client: new ChannelsClient(credentialsFor(api.port), { timeoutMs: 10_000 }),
      presence,
      prefix: convention.prefix,
      options: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 60 },
      onTick: async (tick) => {
        total = tick.result.total
        // As a history write would: the tick is being stored, the loop waits for it.
        await new Promise((resolve) => setImmediate(resolve))
        collect()
        freedWhileStoring ??= body?.deref() === undefined
      },
      onGap: () => {},
      onStatus: () => {},
      verifyWebhook: () => false,
      logger: silentLogger,
    })
    await loop.start()
    for (let i = 0; i < 400 && freedWhileStoring === null; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(total).toBe(20_000)
    expect(body).not.toBeNull()
    expect(freedWhileStoring).toBe(true)
    expect(loop.current.responseBytes).toBeGreaterThan(20_000 * 15)
  }, 60_000)
})
