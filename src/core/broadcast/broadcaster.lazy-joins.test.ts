// The engine hands the broadcaster a sync's joins as the presence state's JoinedMembers (read lazily);
// its vanilla-presence count and spend must be what a listed sync gives.
import { describe, expect, it } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS } from '../../shared/broadcast.ts'
import { compileConvention } from '../../shared/naming.ts'
import { PresenceState } from '../presence/presence-state.ts'
import type { IngestOptions } from '../presence/types.ts'
import { Broadcaster } from './broadcaster.ts'
import type { Marker } from './marker.ts'
import { SimulatedClock } from './simulated-clock.ts'
import { OFFLINE_OPTIONS } from './test-broadcaster.ts'

const marker: Marker = { id: 't', state: 'off', othersLive: [], othersNow: async () => [], hold() {}, release() {} }
const convention = compileConvention({ kind: 'template', template: 'private-{room}-{user}' })
const encoder = new TextEncoder()
const list = (names: readonly string[]): Uint8Array =>
  encoder.encode(`{"channels":{${names.map((name) => `${JSON.stringify(name)}:{}`).join(',')}}}`)

/** Syncs of a churning crowd through a presence state read with `options`; the broadcaster's status after. */
async function run(options: IngestOptions) {
  const clock = new SimulatedClock(Date.UTC(2026, 2, 4, 12))
  const presence = new PresenceState(convention)
  const broadcaster = new Broadcaster({
    presence,
    sink: { triggerBatch: () => Promise.resolve('{}') },
    marker,
    ...OFFLINE_OPTIONS,
    convention,
    settings: { ...DEFAULT_BROADCAST_SETTINGS, enabled: false },
    now: () => clock.now,
    timers: clock,
  })
  for (let second = 0; second < 30; second++) {
    // Everyone at first; then each second some leave, others come, and one room empties for a while.
    const names = Array.from({ length: 3000 }, (_, i) => i + second * 40)
      .filter((n) => second < 10 || second > 20 || n % 5 !== 0)
      .map((n) => `private-room${n % 5}-u${n}`)
    const result = await presence.ingestChannelList(list(names), clock.now, options)
    broadcaster.observe(result, second > 0)
    await clock.advanceTo(clock.now + 1000)
  }
  const status = broadcaster.status()
  await broadcaster.close()
  return { vanilla: status.vanillaPresence, spend: status.spend }
}

describe('the broadcaster with lazily read joins', () => {
  it('counts vanilla presence and spend as with listed joins', async () => {
    const listed = await run({})
    const lazy = await run({ lazyJoins: true })
    expect(listed.vanilla.today).toBeGreaterThan(0)
    expect(lazy).toEqual(listed)
  })
})
