import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, openedPerTest } from './engine-harness.ts'

// A page loaded mid-stream asks for the rooms once; the answer carries the engine's joins and leaves of
// the last minute, tick by tick, and since when it has been counting, so joins per minute are true at
// once rather than counted from the page's load.

const opened = openedPerTest()

describe('the rooms snapshot and the rates', () => {
  it("carries the last minute's counts of the reading, its first sync counted as none", async () => {
    const emulator = await opened.emulator()
    const h = opened.harness()
    const seated = emulator.injectMany(Array.from({ length: 10 }, (_, i) => ({ channel: `private-hall-user${i}` })))
    expect((await h.handlers['rooms.list'](undefined)).rates).toBeUndefined()
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 300 },
    })
    await h.handlers['connection.connect']({ id: profile.id })
    const total = async () => (await h.handlers['rooms.list'](undefined)).total
    await h.until(total, (count) => count === 10, 'the first sync')
    emulator.injectMany(Array.from({ length: 5 }, (_, i) => ({ channel: `private-hall-late${i}` })))
    for (const handle of seated.slice(0, 3)) emulator.removeInjected(handle)
    h.engine.handlers['sync.now'](undefined)
    await h.until(total, (count) => count === 12, 'the second sync')

    const [first, second] = h.events('tick')
    const snapshot = await h.handlers['rooms.list'](undefined)
    expect(snapshot.rates).toEqual({
      since: first?.at,
      ticks: [
        { at: first?.at, joins: 0, leaves: 0 },
        { at: second?.at, joins: 5, leaves: 3 },
      ],
    })
  })
})
