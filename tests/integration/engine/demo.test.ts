import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_PROFILE } from '../../../src/core/demo.ts'
import { EngineHarness } from './engine-harness.ts'

let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('the first-run demo', () => {
  it('starts the embedded emulator with a crowd in rooms and groups, connects, and stops cleanly', async () => {
    const h = (harness = new EngineHarness())
    const started = await h.handlers['demo.start'](undefined)
    expect(started).toMatchObject({ demo: true, profile: DEMO_PROFILE })
    const rooms = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (snapshot) => snapshot.total > 1000,
      'the demo crowd',
    )
    expect(rooms.rooms.length).toBeGreaterThan(5)
    expect(Object.keys(rooms.rooms[0]?.groups ?? {}).sort()).toEqual(['blue', 'green', 'red'])
    const profiles = await h.handlers['profiles.list'](undefined)
    expect(profiles.filter((profile) => profile.name === DEMO_PROFILE)).toHaveLength(1)

    // Starting again replaces the running demo rather than stacking a second emulator.
    await h.handlers['demo.start'](undefined)
    expect(
      (await h.handlers['profiles.list'](undefined)).filter((profile) => profile.name === DEMO_PROFILE),
    ).toHaveLength(1)

    const stopped = await h.handlers['demo.stop'](undefined)
    expect(stopped).toMatchObject({ demo: false, connection: 'disconnected' })
  })
})
