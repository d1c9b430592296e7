import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Logger } from '../../../src/core/logger.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { contract } from '../../../src/shared/contract.ts'
import { TickSchema } from '../../../src/shared/presence.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness } from './engine-harness.ts'

let emulator: RunningEmulator | undefined
let harness: EngineHarness | undefined
const events = contract.events as Record<keyof typeof contract.events, z.ZodType>
const tickSchema = events.tick
afterEach(async () => {
  events.tick = tickSchema
  await harness?.close()
  await emulator?.close()
  harness = undefined
  emulator = undefined
})

describe('an event that no longer matches the contract', () => {
  it('is dropped and logged, and the tick is still recorded: the sync neither fails nor leaves a gap', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    const errors: string[] = []
    const logger: Logger = { info() {}, warn() {}, error: (message) => void errors.push(message) }
    const h = (harness = new EngineHarness({ logger }))
    await h.join(emulator, 'private-lobby-ana')
    await h.join(emulator, 'private-lobby-ben')
    // The contract changes under the engine: the tick's `drift` is now a string, so every tick the
    // engine sends fails its check.
    events.tick = TickSchema.extend({ drift: z.string() })

    const started = Date.now()
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })
    await h.handlers['connection.connect']({ id: profile.id })
    const first = await h.until(
      () => h.handlers['status.get'](undefined),
      (current) => current.sync?.state === 'ok' && current.sync.participants === 2,
      'a successful poll',
    )
    // And the sync goes on.
    const status = await h.until(
      () => h.handlers['status.get'](undefined),
      (current) => (current.sync?.lastSuccessAt ?? 0) > (first.sync?.lastSuccessAt ?? 0),
      'the next successful poll',
    )
    expect(status).toMatchObject({ connection: 'connected', sync: { state: 'ok', participants: 2 } })

    const [lobby] = await h.handlers['history.series']({
      rooms: ['lobby'],
      includeTotal: false,
      from: started - 1000,
      to: Date.now() + 1000,
      points: 100,
    })
    expect(lobby?.points.map((point) => point.value)).toContain(2)
    expect(lobby?.points.some((point) => point.value === null)).toBe(false)

    expect(h.events('tick')).toEqual([])
    expect(errors.find((message) => message.startsWith('The tick event does not match the contract'))).toMatch(
      /→ at drift/,
    )
  })
})

describe('a tick event', () => {
  it('is sent only once its tick is in the history', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    const h = (harness = new EngineHarness())
    await h.join(emulator, 'private-lobby-ana')
    const started = Date.now()
    // What the history holds at the moment each tick event goes out (the query reads synchronously).
    const stored: { tick: { at: number; total: number }; history: Promise<unknown> }[] = []
    h.engine.events.onAny((event, payload) => {
      if (event !== 'tick') return
      const tick = payload as { at: number; total: number }
      const series = h.handlers['history.series']({
        rooms: [],
        includeTotal: true,
        from: started - 1000,
        to: tick.at + 1,
        points: 5000,
      })
      stored.push({ tick, history: Promise.resolve(series).then(([total]) => total?.points) })
    })
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })
    await h.handlers['connection.connect']({ id: profile.id })
    await h.until(
      () => stored.length,
      (count) => count >= 1,
      'the first tick event',
    )
    // The first sync's total is the first point of the stored total, at the tick's own time.
    const [first] = stored
    expect(await first?.history).toEqual([{ t: first?.tick.at, value: 1 }])
    expect(first?.tick.total).toBe(1)
  })
})
