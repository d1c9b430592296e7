// When the engine stops watching an app, its presence state's memory goes to the next connection's first
// sync (ByteKeyedTable.release): at a million people that is 140 MB the next first sync would otherwise
// add while the old state waits for the garbage collector. The next app's counts stay its own.
import { afterEach, describe, expect, it } from 'vitest'
import { spareBufferBytes } from '../../../src/core/presence/byte-table.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness } from './engine-harness.ts'

const emulators: RunningEmulator[] = []
let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
  for (const emulator of emulators.splice(0)) await emulator.close()
})

/** An emulator app with `people` participants in 20 rooms, named with `prefix`. */
async function appWith(people: number, prefix: string): Promise<RunningEmulator> {
  const app = await startEmulator({ vacateDelayMs: 0 })
  emulators.push(app)
  app.injectMany(Array.from({ length: people }, (_, i) => ({ channel: `private-room${i % 20}-${prefix}${i}` })))
  return app
}

describe('switching apps and the presence state’s memory', () => {
  it('hands the stopped app’s tables to the next app’s first sync, whose counts are its own', async () => {
    // Enough people for full-size pages in both tables (4,096 records each).
    const first = await appWith(9_000, 'ann')
    const second = await appWith(7_000, 'bob')
    const h = (harness = new EngineHarness())
    const save = (app: RunningEmulator, name: string) =>
      h.handlers['profiles.save']({
        name,
        connection: emulatorConnection(app),
        secret: app.secret,
        sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 60 },
      })
    const one = await save(first, 'first')
    const two = await save(second, 'second')
    const totalNow = async () => (await h.handlers['rooms.list'](undefined)).total
    await h.handlers['connection.connect']({ id: one.id })
    await h.until(totalNow, (total) => total === 9_000, 'the first app’s first sync')

    const before = spareBufferBytes()
    await h.handlers['connection.disconnect'](undefined)
    const handedOn = spareBufferBytes() - before
    // At least the full-size record pages of both tables (64- and 56-byte records).
    expect(handedOn).toBeGreaterThanOrEqual(4096 * (64 + 56))

    await h.handlers['connection.connect']({ id: two.id })
    await h.until(totalNow, (total) => total === 7_000, 'the second app’s first sync')
    expect(spareBufferBytes()).toBeLessThan(before + handedOn)
    const rooms = await h.handlers['rooms.list'](undefined)
    expect(rooms.rooms).toHaveLength(20)
    expect(rooms.rooms.reduce((sum, room) => sum + room.count, 0)).toBe(7_000)
    const detail = await h.handlers['room.detail']({ room: 'room3', offset: 0, limit: 1000 })
    expect(detail.matching).toBe(350)
    expect(detail.participants.every((member) => member.user.startsWith('bob'))).toBe(true)
  }, 60_000)
})
