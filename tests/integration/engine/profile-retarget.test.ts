// Pointing a saved connection at another app: what the operator agreed to for the old app (broadcasting
// on, its cost confirmed) and what the old app was charged today do not follow the profile to the new one.
import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { spendLedgerPath } from '../../../src/core/broadcast/spend-ledger.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { appIdentity } from '../../../src/shared/connection.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness } from './engine-harness.ts'

const emulators: RunningEmulator[] = []
let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
  for (const emulator of emulators.splice(0)) await emulator.close()
})

describe('retargeting a connection', () => {
  it('asks again before broadcasting to the new app and starts its day’s spend at 0', async () => {
    const oldApp = await startEmulator({ vacateDelayMs: 0 })
    const newApp = await startEmulator({ vacateDelayMs: 0 })
    emulators.push(oldApp, newApp)
    const h = (harness = new EngineHarness())
    const profile = await h.handlers['profiles.save']({
      name: 'production',
      connection: emulatorConnection(oldApp),
      secret: oldApp.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })
    const { id } = profile
    await h.handlers['connection.connect']({ id })
    // Confirmed and on, under a budget (so the spend is written before every send).
    const budget = { messagesPerDay: 1_000_000, plan: null }
    await h.handlers['broadcast.set']({ id, settings: { enabled: true, confirmed: true, intervalMs: 100, budget } })
    oldApp.injectMany([{ channel: 'private-lobby-ann' }, { channel: 'private-lobby-bob' }])
    h.handlers['sync.now'](undefined)
    const spent = await h.until(
      async () => (await h.handlers['status.get'](undefined)).broadcast?.budget?.spentToday ?? 0,
      (messages) => messages > 0,
      'the old app to be charged',
    )
    expect(spent).toBeGreaterThan(0)

    // The same profile, now the other app (another port), saved and reconnected as the form does.
    const connection = emulatorConnection(newApp)
    const saved = await h.handlers['profiles.save']({ id, name: 'production', connection, secret: newApp.secret })
    expect(saved.broadcast).toMatchObject({ enabled: false, confirmed: false, budget, intervalMs: 100 })
    // The broadcaster running for the old app stops at once, before any reconnect.
    expect((await h.handlers['status.get'](undefined)).broadcast).toMatchObject({ enabled: false, state: 'off' })
    const published = oldApp.stats(0).published
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(oldApp.stats(0).published).toBe(published)
    await h.handlers['connection.connect']({ id })
    const status = await h.until(
      async () => (await h.handlers['status.get'](undefined)).broadcast,
      (broadcast) => broadcast !== undefined && broadcast.target === 'emulator',
      'the new app’s broadcaster',
    )
    expect(status).toMatchObject({ enabled: false, state: 'off', messagesToday: 0 })
    expect(status?.budget).toMatchObject({ spentToday: 0, remainingToday: budget.messagesPerDay })
    expect(newApp.stats(0).published).toBe(0)
    // Switching off wrote the new app's (empty) day over the old one, so a restart reads the new app's.
    await h.handlers['connection.disconnect'](undefined)
    const path = spendLedgerPath(h.dataDir, id)
    expect(existsSync(path)).toBe(true)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ app: appIdentity(connection) })
  }, 60_000)
})
