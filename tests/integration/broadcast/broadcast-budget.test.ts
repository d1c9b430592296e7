// The budget against the emulator's exact accounting: rooms of thousands of injected members, each
// subscribed to the room's channel like a participant's browser, and a real participant client among them.
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { formatCount, joinRoom, type ParticipantState } from '../../../src/participant/index.ts'
import type { BroadcastStatus, RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import { client } from '../emulator/helpers.ts'
import { type AppServer, participantSocket, startAppServer } from '../participant/helpers.ts'
import { connectedEngine, FAST, Spectator, WITH_GROUPS } from './helpers.ts'

const CROWD = 2_500

let emulator: RunningEmulator | undefined
let app: AppServer | undefined
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await app?.close()
  await emulator?.close()
  app = undefined
  emulator = undefined
})

/** Messages the emulator counted for the broadcaster's events: published and delivered. */
function emulatorMessages(target: RunningEmulator): number {
  const stats = target.stats(0)
  return stats.published + stats.deliveries.event
}

const crowd = (prefix: string, size: number) => Array.from({ length: size }, (_, i) => `${prefix}${i}`)

/** Members on their own channels (what Headcount counts) and on the room channel (what delivery costs). */
function inject(target: RunningEmulator, users: string[], roomChannel: string): void {
  target.injectMany(users.map((user) => ({ channel: `private-lobby-red-${user}` })))
  target.injectMany(users.map(() => ({ channel: roomChannel })))
}

describe('the broadcaster under a budget, against the emulator', () => {
  it('never sends what the budget can’t pay for, by the emulator’s own count: a change waits', async () => {
    const budget = 3_000
    emulator = await startEmulator({ vacateDelayMs: 50 })
    inject(emulator, crowd('u', CROWD), 'lobby')
    const { harness, id } = await connectedEngine(emulator, WITH_GROUPS)
    cleanups.push(() => harness.close())
    const spectator = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    cleanups.push(() => spectator.close())
    await harness.handlers['broadcast.set']({
      id,
      settings: { ...FAST, enabled: true, budget: { messagesPerDay: budget, plan: null } },
    })
    harness.handlers['sync.now'](undefined)
    // The first value is paid (2,500 deliveries and the event); nothing seen churning yet, so it is exact.
    const first = await harness.until(
      () => spectator.last<RoomSummaryPayload>('lobby'),
      (last) => last !== undefined,
      'the first value',
    )
    expect(first).toMatchObject({ room: 'lobby', count: CROWD })
    expect(first?.approx).toBeUndefined()

    // 300 more arrive: the bucket can't pay for another 2,800 today, so the change waits.
    inject(emulator, crowd('v', 300), 'lobby')
    harness.handlers['sync.now'](undefined)
    const waiting = await harness.until(
      async () => (await harness.handlers['status.get'](undefined)).broadcast,
      (status?: BroadcastStatus | null) => (status?.budget?.waiting ?? 0) > 0,
      'the change to wait for the budget',
    )
    expect(waiting?.budget).toMatchObject({ messagesPerDay: budget, waiting: 1 })
    expect(waiting?.budget?.spentToday).toBeLessThanOrEqual(budget)
    expect(waiting?.target).toBe('emulator')
    const preview = await harness.handlers['broadcast.preview']({ room: 'lobby' })
    expect(preview.source).toBe('sent')
    expect(preview.shown).toMatchObject({ count: CROWD, precision: null, countNow: CROWD + 300, offBy: 300 })
    expect(preview.shown?.waiting).toMatch(/waiting for the budget/)
    // Some more ticks: still nothing sent.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(spectator.on('lobby')).toHaveLength(1)
    expect(emulatorMessages(emulator)).toBeLessThanOrEqual(budget)
    expect(emulatorMessages(emulator)).toBeGreaterThan(CROWD)
    // The panel's comparison: the emulator counted one delivery more than Headcount, to the spectator,
    // a subscriber of the room channel who is no participant.
    const measured = await harness.until(
      async () => (await harness.handlers['status.get'](undefined)).broadcast?.measured,
      (m) => (m?.emulatorMessages ?? 0) > 0,
      'a reading of the emulator’s count',
      15_000,
    )
    expect(measured?.headcountMessages).toBe(CROWD + 1)
    expect(measured?.emulatorMessages).toBe(CROWD + 2)
  }, 60_000)

  it('rounds a large room once it churns, participants read "≈", and a late joiner on a cache channel gets the last summary', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    app = await startAppServer(emulator, { userChannel: 'private-{room}-{group}-{user}', groupOf: () => 'red' })
    inject(emulator, crowd('u', CROWD - 1), 'cache-lobby')
    const { harness, id } = await connectedEngine(emulator, WITH_GROUPS)
    cleanups.push(() => harness.close())
    const pusher = participantSocket(emulator, app, 'ana')
    cleanups.push(() => pusher.disconnect())
    const ana = joinRoom({ pusher, room: 'lobby', user: 'ana', group: 'red', roomChannel: 'cache-{room}' })
    cleanups.push(() => ana.leave())
    await harness.until(
      () => ana.state.status,
      (status) => status === 'joined',
      'ana to join',
    )
    await harness.handlers['broadcast.set']({
      id,
      settings: {
        ...FAST,
        enabled: true,
        channelTemplate: 'cache-{room}',
        budget: { messagesPerDay: 2_000_000, plan: null },
      },
    })
    harness.handlers['sync.now'](undefined)
    await harness.until(
      () => ana.state.count,
      (count) => count !== null,
      'ana to hear a count',
    )

    // 600 arrive at once: a jump, and a churning room that the budget publishes at two figures.
    inject(emulator, crowd('v', 600), 'cache-lobby')
    harness.handlers['sync.now'](undefined)
    const state = await harness.until(
      () => ({ count: ana.state.count, approx: ana.state.approx, precision: ana.state.precision }),
      (s: Pick<ParticipantState, 'count' | 'approx' | 'precision'>) => s.approx && s.count === 3_100,
      'ana to see a rounded count',
    )
    expect(state).toMatchObject({ count: 3_100, approx: true, precision: 2 })
    expect(formatCount(state.count, { ...state, locale: 'en-US' })).toBe('≈3.1K')

    // A late joiner hears the last summary on subscribing: no heartbeat needed on a cache channel.
    // (Listening before subscribing: the cached event follows the subscription's success at once.)
    const late = client(emulator)
    cleanups.push(() => late.disconnect())
    let cached: RoomSummaryPayload | undefined
    late.subscribe('cache-lobby').bind('occupancy', (data: RoomSummaryPayload) => (cached ??= data))
    const heard = await harness.until(
      () => cached,
      (last) => last !== undefined,
      'the late joiner to get the cached summary',
    )
    expect(heard).toMatchObject({ room: 'lobby', count: 3_100, approx: true, precision: 2 })
    const status = (await harness.handlers['status.get'](undefined)).broadcast
    expect(status?.warnings.map((warning) => warning.kind)).toEqual(['public', 'cache-heartbeat-off'])
  }, 60_000)
  it('with countSubscribers, counts deliveries by the subscriber count the server reports, and each event twice', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    inject(emulator, crowd('u', 3), 'lobby')
    const { harness, id } = await connectedEngine(emulator, WITH_GROUPS)
    cleanups.push(() => harness.close())
    // A listener who is no participant: the estimate (3) misses it, the server's count (4) doesn't.
    const spectator = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    cleanups.push(() => spectator.close())
    await harness.handlers['broadcast.set']({
      id,
      settings: { ...FAST, enabled: true, countSubscribers: true, budget: { messagesPerDay: 1_000_000, plan: null } },
    })
    harness.handlers['sync.now'](undefined)
    const status = await harness.until(
      async () => (await harness.handlers['status.get'](undefined)).broadcast,
      (s?: BroadcastStatus | null) => s?.subscribers === 'reported' && s.eventsToday >= 2,
      'two events with reported subscriber counts',
    )
    const spent = (key: 'events' | 'deliveries' | 'messages') =>
      (status?.spend ?? []).reduce((total, bucket) => total + bucket[key], 0)
    expect(spent('deliveries')).toBe(4 * spent('events'))
    expect(spent('messages')).toBe(2 * spent('events') + spent('deliveries'))
    expect(spectator.on('lobby').length).toBeGreaterThanOrEqual(1)
  }, 60_000)
})
