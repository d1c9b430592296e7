// A tick is planned in slices so that 10,000 rooms don't hold the event loop; these pin what slicing must
// not change: one tick is built from one snapshot of counts even when a sync lands between slices, the
// events and their order are those of an unsliced tick, a switch-off between slices sends nothing more,
// and a tick that takes longer than its interval is followed by the next one, never overlapped by it.
import { describe, expect, it } from 'vitest'
import { type BroadcastSettings, DEFAULT_BROADCAST_SETTINGS } from '../../shared/broadcast.ts'
import { compileConvention } from '../../shared/naming.ts'
import type { BatchEvent } from '../channels/client.ts'
import { PresenceState } from '../presence/presence-state.ts'
import type { RoomSummary } from '../presence/types.ts'
import { Broadcaster } from './broadcaster.ts'
import type { Marker } from './marker.ts'
import { SimulatedClock } from './simulated-clock.ts'
import type { TickSlicing } from './tick-slicer.ts'
import { OFFLINE_OPTIONS } from './test-broadcaster.ts'

const NOON = Date.UTC(2026, 2, 4, 12)
const ROOMS = 500
const marker: Marker = { id: 't', state: 'off', othersLive: [], othersNow: async () => [], hold() {}, release() {} }
const settings: BroadcastSettings = {
  ...DEFAULT_BROADCAST_SETTINGS,
  enabled: true,
  force: true,
  intervalMs: 1000,
  concurrency: 4,
}

/** A broadcaster over rooms whose counts all follow `level` (a sync changes it), sending to a recorder. */
function setup(
  slicing: TickSlicing,
  { answer = async () => '{}', roomCount = ROOMS }: { answer?: () => Promise<string>; roomCount?: number } = {},
) {
  const clock = new SimulatedClock(NOON)
  /** inFlight: requests the server is answering; a tick that reads the counts meanwhile overlaps one. */
  const state = { level: 10, reads: 0, readAt: [] as number[], inFlight: 0, overlaps: 0 }
  // Fresh objects at every read, as the presence state gives them: a snapshot, never live.
  const rooms = (): RoomSummary[] => {
    state.reads++
    state.readAt.push(clock.now)
    if (state.inFlight > 0) state.overlaps++
    return Array.from({ length: roomCount }, (_, index) => ({
      room: `room${String(index).padStart(3, '0')}`,
      count: state.level + (index % 7),
      groups: { red: state.level, blue: index % 7 },
    }))
  }
  const batches: BatchEvent[][] = []
  const broadcaster = new Broadcaster({
    presence: {
      rooms,
      room: (id) => rooms().find((room) => room.room === id),
      members: () => ({ total: 0, members: [] }),
    },
    sink: {
      triggerBatch: (batch) => {
        batches.push(batch.map((event) => ({ ...event })))
        return answer()
      },
    },
    marker,
    ...OFFLINE_OPTIONS,
    settings: { ...settings, enabled: false },
    now: () => clock.now,
    random: () => 0.5,
    timers: clock,
    slicing,
  })
  const sync = () =>
    broadcaster.observe({ at: clock.now, channels: 0, unmatched: 0, joins: [], leaves: [], rooms: [], total: 0 })
  return { clock, state, batches, broadcaster, sync }
}

const countsOf = (batches: readonly BatchEvent[][]): number[] =>
  batches.flat().map((event) => (JSON.parse(event.data) as { count: number; groups: { red: number } }).groups.red)

describe('a sliced tick', () => {
  it('is built from the counts read at its start, though a sync lands between its slices', async () => {
    let pauses = 0
    const sliced = setup({
      sliceMs: 0,
      pause: async () => {
        pauses++
        // A sync lands: every room's count changes from here.
        sliced.state.level += 100
        sliced.sync()
      },
    })
    sliced.sync()
    await sliced.broadcaster.configure(settings)
    await sliced.clock.advanceTo(NOON)
    expect(pauses).toBeGreaterThan(3)
    expect(sliced.state.reads).toBe(1)
    const counts = countsOf(sliced.batches)
    expect(counts).toHaveLength(ROOMS)
    // Every event carries the level of the snapshot the tick read before its first pause.
    expect(new Set(counts)).toEqual(new Set([10]))
    await sliced.broadcaster.close()
  })

  it('keeps to its snapshot with the real presence state, a sync ingested between its slices', async () => {
    const state = new PresenceState(compileConvention({ kind: 'template', template: 'private-{room}-{user}' }))
    const channelList = (people: number): Uint8Array =>
      new TextEncoder().encode(
        JSON.stringify({
          channels: Object.fromEntries(
            Array.from({ length: ROOMS * people }, (_, index) => [
              `private-room${index % ROOMS}-user${Math.floor(index / ROOMS)}`,
              {},
            ]),
          ),
        }),
      )
    await state.ingestChannelList(channelList(2), NOON)
    const clock = new SimulatedClock(NOON)
    const batches: BatchEvent[][] = []
    let syncs = 0
    const broadcaster = new Broadcaster({
      presence: state,
      sink: {
        triggerBatch: (batch) => {
          batches.push([...batch])
          return Promise.resolve('{}')
        },
      },
      marker,
      ...OFFLINE_OPTIONS,
      settings: { ...settings, enabled: false },
      now: () => clock.now,
      timers: clock,
      slicing: {
        sliceMs: 0,
        // The next poll lands: a third person in every room.
        pause: async () => {
          if (syncs++ === 0) await state.ingestChannelList(channelList(3), NOON + 500)
        },
      },
    })
    broadcaster.observe({ at: NOON, channels: 0, unmatched: 0, joins: [], leaves: [], rooms: [], total: 0 })
    await broadcaster.configure(settings)
    await clock.advanceTo(NOON)
    expect(syncs).toBeGreaterThan(1)
    expect(state.rooms().every((room) => room.count === 3)).toBe(true)
    const counts = batches.flat().map((event) => (JSON.parse(event.data) as { count: number }).count)
    expect(counts).toHaveLength(ROOMS)
    expect(new Set(counts)).toEqual(new Set([2]))
    await broadcaster.close()
  })

  it('sends the same events, in the same order, as a tick planned in one go', async () => {
    const runs = await Promise.all(
      [{ sliceMs: 0, pause: () => Promise.resolve() }, { sliceMs: Infinity }].map(async (slicing) => {
        const run = setup(slicing)
        run.sync()
        await run.broadcaster.configure(settings)
        for (let second = 0; second < 3; second++) {
          run.state.level += 1
          run.sync()
          await run.clock.advanceTo(NOON + second * 1000)
        }
        await run.broadcaster.close()
        return run.batches
      }),
    )
    const [sliced, whole] = runs as [BatchEvent[][], BatchEvent[][]]
    expect(sliced.flat()).toHaveLength(3 * ROOMS)
    expect(sliced).toEqual(whole)
  })

  it('sends nothing of a tick switched off between its slices', async () => {
    let switching: Promise<void> | null = null
    const run = setup({
      sliceMs: 0,
      pause: async () => {
        switching ??= run.broadcaster.configure({ ...settings, enabled: false })
      },
    })
    run.sync()
    await run.broadcaster.configure(settings)
    // The tick is dropped at its first pause; the switch waits for it.
    await run.clock.advanceTo(NOON)
    await switching
    expect(switching).not.toBeNull()
    expect(run.batches).toEqual([])
    expect(run.broadcaster.status().state).toBe('off')
    await run.broadcaster.close()
  })

  it('drops a tick reconfigured between its slices, so no tick mixes two channel templates', async () => {
    let configuring: Promise<void> | null = null
    const run = setup({
      sliceMs: 0,
      pause: async () => {
        configuring ??= run.broadcaster.configure({ ...settings, channelTemplate: 'room-{room}' })
      },
    })
    run.sync()
    await run.broadcaster.configure(settings)
    await run.clock.advanceTo(NOON)
    await configuring
    // The dropped tick sent nothing; the next one sends every room once, all on the new channels.
    expect(run.batches).toEqual([])
    await run.clock.advanceTo(NOON + 1000)
    const channels = run.batches.flat().map((event) => event.channel)
    expect(channels).toHaveLength(ROOMS)
    expect(channels.filter((channel) => !channel.startsWith('room-room'))).toEqual([])
    await run.broadcaster.close()
  })

  it('starts the next tick when a slow one ends, never during it, and keeps its interval again once fast', async () => {
    let slow = true
    const run = setup(
      {},
      {
        roomCount: 1,
        answer: async () => {
          run.state.inFlight++
          await Promise.resolve()
          // The server takes 2.5 s over each tick's request while slow.
          if (slow) run.clock.now += 2500
          // The room changes before every tick, so every tick sends.
          run.state.level++
          run.state.inFlight--
          return '{}'
        },
      },
    )
    run.sync()
    await run.broadcaster.configure(settings)
    await run.clock.advanceTo(NOON + 10_000)
    expect(run.state.readAt).toEqual([NOON, NOON + 2500, NOON + 5000, NOON + 7500, NOON + 10_000])
    slow = false
    await run.clock.advanceTo(NOON + 15_000)
    expect(run.state.readAt.slice(5)).toEqual([NOON + 12_500, NOON + 13_500, NOON + 14_500])
    expect(run.batches).toHaveLength(8)
    expect(run.state.overlaps).toBe(0)
    await run.broadcaster.close()
  })
})
