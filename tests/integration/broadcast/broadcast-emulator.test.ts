import { afterEach, describe, expect, it } from 'vitest'
import type { FriendRosterPayload, RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { sleep } from '../emulator/helpers.ts'
import type { EngineHarness } from '../engine/engine-harness.ts'
import { connectedEngine, FAST, Spectator } from './helpers.ts'

let emulator: RunningEmulator | undefined
const harnesses: EngineHarness[] = []
const spectators: Spectator[] = []
afterEach(async () => {
  for (const spectator of spectators.splice(0)) spectator.close()
  for (const harness of harnesses.splice(0)) await harness.close()
  await emulator?.close()
  emulator = undefined
})

async function setUp() {
  emulator = await startEmulator({ vacateDelayMs: 50 })
  const engine = await connectedEngine(emulator)
  harnesses.push(engine.harness)
  return { emulator, ...engine }
}

async function watch(target: RunningEmulator, channels: string[], event = 'occupancy') {
  const spectator = await Spectator.watch(target, channels, event)
  spectators.push(spectator)
  return spectator
}

const counts = (spectator: Spectator, channel: string) =>
  spectator.on<RoomSummaryPayload>(channel).map(({ data }) => ({ count: data.count, groups: data.groups }))

describe('the broadcaster against the emulator, heard by real pusher-js clients', () => {
  it('publishes counts and group counts as people join and leave, heartbeats, a final 0, and nothing after switching off', async () => {
    const { emulator: target, harness: h, id } = await setUp()
    const spectator = await watch(target, ['lobby', 'stage'])
    const sockets = {
      ana: await h.join(target, 'private-lobby-red-ana'),
      ben: await h.join(target, 'private-lobby-red-ben'),
      cy: await h.join(target, 'private-lobby-blue-cy'),
      dee: await h.join(target, 'private-stage-blue-dee'),
    }
    const saved = await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    expect(saved).toMatchObject({ enabled: true, intervalMs: 100, channelTemplate: '{room}', eventName: 'occupancy' })
    const profiles = await h.handlers['profiles.list'](undefined)
    expect(profiles.find((profile) => profile.id === id)?.broadcast.enabled).toBe(true)
    h.handlers['sync.now'](undefined)

    await h.until(
      () => spectator.last<RoomSummaryPayload>('lobby'),
      (last) => last?.count === 3,
      'lobby at 3',
    )
    expect(spectator.last('lobby')).toMatchObject({ room: 'lobby', count: 3, groups: { red: 2, blue: 1 } })
    expect(spectator.last<RoomSummaryPayload>('lobby')?.ts).toEqual(expect.any(Number))
    await h.until(
      () => spectator.last<RoomSummaryPayload>('stage'),
      (last) => last?.count === 1,
      'stage at 1',
    )
    expect(spectator.last('stage')).toMatchObject({ count: 1, groups: { blue: 1 } })

    sockets.ben.disconnect()
    h.handlers['sync.now'](undefined)
    await h.until(
      () => spectator.last<RoomSummaryPayload>('lobby'),
      (last) => last?.count === 2,
      'lobby at 2',
    )
    expect(spectator.last('lobby')).toMatchObject({ count: 2, groups: { red: 1, blue: 1 } })

    sockets.dee.disconnect()
    h.handlers['sync.now'](undefined)
    await h.until(
      () => spectator.last<RoomSummaryPayload>('stage'),
      (last) => last?.count === 0,
      'a final 0 for the stage',
    )
    expect(spectator.last('stage')).toMatchObject({ room: 'stage', count: 0, groups: {} })

    // Unchanged rooms are heard again on the heartbeat (every 1 s here), not on every 100 ms tick.
    const heardBefore = spectator.on('lobby').length
    await h.until(
      () => spectator.on('lobby').length,
      (length) => length >= heardBefore + 2,
      'two heartbeats',
    )
    expect(counts(spectator, 'lobby').slice(heardBefore)).toEqual([
      { count: 2, groups: { red: 1, blue: 1 } },
      { count: 2, groups: { red: 1, blue: 1 } },
    ])
    const stageEvents = spectator.on('stage').length
    expect(counts(spectator, 'stage').at(-1)).toEqual({ count: 0, groups: {} })

    const status = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => (s.broadcast?.messagesToday ?? 0) > 0,
      'messages counted',
    )
    expect(status.broadcast).toMatchObject({
      enabled: true,
      state: 'on',
      intervalMs: 100,
      marker: 'held',
      lastError: null,
      otherBroadcaster: null,
    })
    expect(status.broadcast?.eventsToday).toBeGreaterThanOrEqual(5)
    expect(status.broadcast?.requestsToday).toBeGreaterThan(0)
    // Vanilla presence for the same joins and leaves: 3 into the lobby (1 + 2 + 3), 1 onto the stage (1), ben's
    // leave reaching 2, dee's reaching nobody.
    expect(status.broadcast?.vanillaPresence.today).toBe(6 + 1 + 2)

    await h.handlers['broadcast.set']({ id, settings: { enabled: false } })
    const publishedAtOff = target.stats().published
    const lobbyAtOff = spectator.on('lobby').length
    sockets.cy.disconnect()
    h.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 1,
      'cy gone',
    )
    await sleep(1500)
    expect(target.stats().published).toBe(publishedAtOff)
    expect(spectator.on('lobby')).toHaveLength(lobbyAtOff)
    expect(spectator.on('stage')).toHaveLength(stageEvents)
    expect((await h.handlers['status.get'](undefined)).broadcast).toMatchObject({
      enabled: false,
      state: 'off',
      marker: 'off',
    })
  })

  it('previews the exact payload for a room, and reports a room whose channel name Pusher would refuse without sending to it', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    const { harness: h, id } = await connectedEngine(emulator, { kind: 'template', template: 'private-{room}-{user}' })
    harnesses.push(h)
    const longRoom = 'r'.repeat(150)
    await h.join(emulator, `private-${longRoom}-u1`)
    await h.join(emulator, 'private-ok-u1')
    // Not a participant channel under private-{room}-{user}.
    const spectator = await watch(emulator, ['ok-occupancy-summary'])
    await h.handlers['broadcast.set']({
      id,
      settings: { ...FAST, channelTemplate: '{room}-occupancy-summary', enabled: true },
    })
    h.handlers['sync.now'](undefined)
    await h.until(
      () => spectator.last<RoomSummaryPayload>('ok-occupancy-summary'),
      (last) => last?.count === 1,
      'the ok room',
    )

    const status = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => (s.broadcast?.invalidChannels.count ?? 0) > 0,
      'the invalid room reported',
    )
    expect(status.broadcast?.invalidChannels.examples).toEqual([
      {
        channel: `${longRoom}-occupancy-summary`,
        reason: 'invalid channel name: 168 characters, Pusher allows at most 164',
      },
    ])
    // Had it been sent, the emulator would have refused the whole batch with 400.
    expect(status.broadcast).toMatchObject({ state: 'on', lastError: null })

    const preview = await h.handlers['broadcast.preview']({ room: 'ok' })
    expect(preview.problem).toBeNull()
    expect(preview.events).toHaveLength(1)
    expect(preview.events[0]).toMatchObject({ channel: 'ok-occupancy-summary', event: 'occupancy' })
    expect(JSON.parse(preview.events[0]?.data as string)).toMatchObject({ room: 'ok', count: 1, groups: {} })
    expect(preview.events[0]?.bytes).toBe(preview.events[0]?.data.length)
    const refused = await h.handlers['broadcast.preview']({ room: longRoom })
    expect(refused).toMatchObject({ events: [], problem: expect.stringMatching(/168 characters/) })
  })

  it('sends friend rosters to the right users, and new ones as friends come and go', async () => {
    const { emulator: target, harness: h, id } = await setUp()
    const imported = await h.handlers['friends.import']({
      id,
      csv: 'user,friend\nana,ben\nben,ana\nana,cy\n',
      mutual: false,
    })
    expect(imported).toEqual({ ok: true, users: 3, edges: 3 })
    expect(await h.handlers['friends.get']({ id })).toMatchObject({
      users: 3,
      edges: 3,
      mutual: false,
      importedAt: expect.any(String),
    })

    // A participant's own channel both registers them and carries their roster.
    const ben = await watch(target, ['private-lobby-red-ben'], 'friends')
    const ana = await watch(target, ['private-lobby-red-ana'], 'friends')
    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true, friends: { enabled: true } } })
    h.handlers['sync.now'](undefined)
    const rosterOf = (listener: Spectator, channel: string) => listener.last<FriendRosterPayload>(channel)?.friends

    await h.until(
      () => rosterOf(ana, 'private-lobby-red-ana'),
      (friends) => friends?.join() === 'ben',
      "ana's roster",
    )
    await h.until(
      () => rosterOf(ben, 'private-lobby-red-ben'),
      (friends) => friends?.join() === 'ana',
      "ben's roster",
    )
    expect(ana.last('private-lobby-red-ana')).toMatchObject({ room: 'lobby', user: 'ana', page: 1, pages: 1 })

    const cy = await watch(target, ['private-lobby-blue-cy'], 'friends')
    h.handlers['sync.now'](undefined)
    await h.until(
      () => rosterOf(ana, 'private-lobby-red-ana'),
      (friends) => friends?.join() === 'ben,cy',
      'cy arrives',
    )
    expect(await h.handlers['friends.of']({ room: 'lobby', user: 'ana' })).toEqual({
      room: 'lobby',
      user: 'ana',
      friends: [
        { user: 'ben', group: 'red' },
        { user: 'cy', group: 'blue' },
      ],
      total: 2,
    })

    ben.close()
    h.handlers['sync.now'](undefined)
    await h.until(
      () => rosterOf(ana, 'private-lobby-red-ana'),
      (friends) => friends?.join() === 'cy',
      'ben leaves',
    )
    // Only changes are sent: ana heard three rosters; cy, with no friends of her own, none.
    expect(ana.on('private-lobby-red-ana')).toHaveLength(3)
    expect(cy.on('private-lobby-blue-cy')).toHaveLength(0)
    const status = await h.handlers['status.get'](undefined)
    expect(status.broadcast?.friends).toEqual({ enabled: true, unavailable: null, rostersToday: 4 })

    expect(await h.handlers['friends.clear']({ id })).toEqual({ users: 0, edges: 0, importedAt: null, mutual: null })
    expect((await h.handlers['friends.of']({ room: 'lobby', user: 'ana' })).friends).toEqual([])
  })

  it('refuses a friend CSV with bad rows as a whole, with line numbers, keeping the graph it had', async () => {
    const { harness: h, id } = await setUp()
    expect(await h.handlers['friends.import']({ id, csv: 'ana,ben\n', mutual: true })).toEqual({
      ok: true,
      users: 2,
      edges: 2,
    })
    const refused = await h.handlers['friends.import']({
      id,
      csv: 'user,friend\ncy,dee\ncy\ncy,dee,eve\n"cy,eve\n',
      mutual: false,
    })
    expect(refused).toEqual({
      ok: false,
      errorCount: 3,
      errors: [
        { line: 3, message: 'expected 2 columns (user,friend), found 1' },
        { line: 4, message: 'expected 2 columns (user,friend), found 3' },
        { line: 5, message: 'cannot read the row: a quoted field is not closed' },
      ],
    })
    expect(await h.handlers['friends.get']({ id })).toMatchObject({ users: 2, edges: 2, mutual: true })
  })

  it('lets one console broadcast per app: a second is blocked until forced, and the first is warned', async () => {
    const { emulator: target, harness: first, id: firstId } = await setUp()
    const second = await connectedEngine(target)
    harnesses.push(second.harness)
    await first.handlers['broadcast.set']({ id: firstId, settings: { ...FAST, enabled: true } })
    await first.until(
      () => first.handlers['status.get'](undefined),
      (s) => s.broadcast?.marker === 'held',
      'the marker held',
    )

    await second.harness.handlers['broadcast.set']({ id: second.id, settings: { ...FAST, enabled: true } })
    const blocked = await second.harness.handlers['status.get'](undefined)
    expect(blocked.broadcast).toMatchObject({ enabled: true, state: 'blocked', marker: 'off', eventsToday: 0 })
    expect(blocked.broadcast?.otherBroadcaster?.detail).toMatch(
      /^Another Headcount on host .+ \(process \d+\) is already broadcasting to this app$/,
    )

    await second.harness.handlers['broadcast.set']({ id: second.id, settings: { force: true } })
    await second.harness.until(
      () => second.harness.handlers['status.get'](undefined),
      (s) => s.broadcast?.marker === 'held',
      'forced on',
    )
    const warned = await first.until(
      () => first.handlers['status.get'](undefined),
      (s) => s.broadcast?.otherBroadcaster !== null,
      'the first warned',
    )
    expect(warned.broadcast?.otherBroadcaster?.detail).toMatch(
      /is also broadcasting to this app: every message is doubled/,
    )
    expect(warned.broadcast?.state).toBe('on')

    // The other console stops: the warning goes.
    await second.harness.handlers['broadcast.set']({ id: second.id, settings: { enabled: false } })
    await first.until(
      () => first.handlers['status.get'](undefined),
      (s) => s.broadcast?.otherBroadcaster === null,
      'the warning cleared',
    )
  })
})
