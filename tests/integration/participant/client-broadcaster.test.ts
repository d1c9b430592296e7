import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { joinRoom, type Participant, type ParticipantState } from '../../../src/participant/index.ts'
import type { FriendRosterPayload, RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import { connectedEngine, FAST, Spectator, WITH_GROUPS } from '../broadcast/helpers.ts'
import { type AppServer, participantSocket, startAppServer } from './helpers.ts'

// The whole pattern end to end: Headcount's engine syncs the emulator and broadcasts; participants join
// through the client, authorized by an app server, and see the counts, groups and friends it sends.

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

const pad = (text: string, width: number) => text.padEnd(width, 'x')

describe('headcount/participant following the real broadcaster', () => {
  it('shows the count including itself, every group of a split summary, and a paged friend roster', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    // Groups and friend ids long enough that the summary must be split in parts and the roster paged.
    const others = Array.from({ length: 300 }, (_, i) => ({
      group: pad(`g${i}`, 36),
      user: pad(`f${String(i).padStart(3, '0')}`, 40),
    }))
    const groupOf = (user: string) => (user === 'ana' ? 'red' : (others.find((o) => o.user === user)?.group ?? null))
    app = await startAppServer(emulator, { userChannel: 'private-{room}-{group}-{user}', groupOf })
    emulator.injectMany(others.map(({ group, user }) => ({ channel: `private-lobby-${group}-${user}` })))

    const { harness, id } = await connectedEngine(emulator, WITH_GROUPS)
    cleanups.push(() => harness.close())
    const csv = others.map(({ user }) => `ana,${user}`).join('\n')
    expect(await harness.handlers['friends.import']({ id, csv, mutual: false })).toMatchObject({ ok: true })
    // A raw listener beside the client, to see that the broadcaster really split and paged.
    const raw = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    cleanups.push(() => raw.close())
    const rawRoster = await Spectator.watch(emulator, ['private-lobby-red-ana'], 'friends')
    cleanups.push(() => rawRoster.close())

    const pusher = participantSocket(emulator, app, 'ana')
    cleanups.push(() => pusher.disconnect())
    const ana: Participant = joinRoom({ pusher, room: 'lobby', user: 'ana', group: 'red' })
    cleanups.push(() => ana.leave())
    await harness.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true, friends: { enabled: true } } })
    harness.handlers['sync.now'](undefined)

    const state = await harness.until(
      () => ana.state,
      (s: ParticipantState) => s.count === 301 && s.groupsComplete && s.friendsComplete && s.friends?.length === 300,
      'ana to see 301 people in 301 groups and her 300 friends',
    )
    expect(state.status).toBe('joined')
    expect(state.groups).toEqual(Object.fromEntries([['red', 1], ...others.map(({ group }) => [group, 1])]))
    expect(state.friends).toEqual(others.map(({ user }) => user).sort())
    expect(state.approx).toBe(false)
    expect(state.ignored.count).toBe(0)
    expect(raw.on<RoomSummaryPayload>('lobby').some(({ data }) => (data.parts ?? 1) > 1)).toBe(true)
    expect(rawRoster.on<FriendRosterPayload>('private-lobby-red-ana').some(({ data }) => data.pages > 1)).toBe(true)

    // Ana leaves (and the raw roster listener on her channel with her): the room count follows.
    rawRoster.close()
    ana.leave()
    expect(ana.state.status).toBe('left')
    harness.handlers['sync.now'](undefined)
    await harness.until(
      () => raw.last<RoomSummaryPayload>('lobby')?.count,
      (count) => count === 300,
      'the room count to drop to 300 after ana left',
    )
  }, 60_000)
})
