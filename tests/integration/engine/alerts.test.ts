import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness } from './engine-harness.ts'

let emulator: RunningEmulator | undefined
let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  await emulator?.close()
})

const lobby = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ channel: `private-lobby-u${from + i}` }))

describe('alerts through the contract', () => {
  it('keeps rules with the profile, fires and resolves them as the crowd moves, and logs each in the history', async () => {
    emulator = await startEmulator({ vacateDelayMs: 0 })
    const h = (harness = new EngineHarness())
    expect(() => h.handlers['alerts.log']({ limit: 10 })).toThrow(/connect to an app first/)
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })

    // Rules can be set before connecting; they are kept in settings.json with the profile.
    const rule = await h.handlers['alerts.saveRule']({
      id: profile.id,
      rule: { kind: 'room-above', room: 'lobby', people: 3, enabled: true },
    })
    expect(rule).toMatchObject({ id: expect.any(String), kind: 'room-above', room: 'lobby', people: 3, enabled: true })
    const stored = JSON.parse(readFileSync(join(h.dataDir, 'settings.json'), 'utf8')) as {
      profiles: { id: string; alerts: unknown[] }[]
    }
    expect(stored.profiles.find((saved) => saved.id === profile.id)?.alerts).toEqual([rule])
    // Saving the connection's form again keeps them.
    await h.handlers['profiles.save']({ id: profile.id, name: 'renamed', connection: emulatorConnection(emulator) })
    expect((await h.handlers['profiles.list'](undefined))[0]?.alerts).toEqual([rule])
    expect(() => h.handlers['alerts.deleteRule']({ id: profile.id, ruleId: 'no-such-rule' })).toThrow(
      'No such alert rule (it may have been removed)',
    )

    await h.handlers['connection.connect']({ id: profile.id })
    const crowd = emulator.injectMany(lobby(5))
    h.handlers['sync.now'](undefined)
    const fired = await h.until(
      () => h.events('alert'),
      (events) => events.length === 1,
      'the alert',
    )
    expect(fired[0]).toMatchObject({
      change: 'fired',
      entry: { rule: 'lobby above 3 people', room: 'lobby', message: 'lobby has 5 people, above 3', resolvedAt: null },
    })
    expect((await h.handlers['alerts.log']({ limit: 10 })).entries).toEqual([fired[0]?.entry])

    // A changed rule resolves the firing of the old one, then fires again at once if still true.
    await h.handlers['alerts.saveRule']({
      id: profile.id,
      rule: { id: rule.id, kind: 'room-above', room: 'lobby', people: 4, enabled: true },
    })
    const changed = await h.until(
      () => h.events('alert'),
      (events) => events.length === 3,
      'the change',
    )
    expect(changed.slice(1).map((event) => [event.change, event.entry.resolution ?? event.entry.message])).toEqual([
      ['resolved', 'The rule was changed'],
      ['fired', 'lobby has 5 people, above 4'],
    ])

    emulator.removeInjectedMany(crowd.slice(0, 4))
    h.handlers['sync.now'](undefined)
    const resolved = await h.until(
      () => h.events('alert'),
      (events) => events.length === 4,
      'the resolution',
    )
    expect(resolved[3]).toMatchObject({ change: 'resolved', entry: { resolution: 'lobby is down to 1 person' } })
    expect((await h.handlers['alerts.log']({ limit: 10 })).entries.map((entry) => entry.resolvedAt !== null)).toEqual([
      true,
      true,
    ])

    // The room that emptied is still known to the history, for exports.
    emulator.removeInjectedMany(crowd.slice(4))
    h.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 0,
      'an empty app',
    )
    expect((await h.handlers['history.rooms'](undefined)).rooms).toMatchObject([{ room: 'lobby', count: 0 }])

    h.handlers['alerts.deleteRule']({ id: profile.id, ruleId: rule.id })
    expect((await h.handlers['profiles.list'](undefined))[0]?.alerts).toEqual([])
  })
})
