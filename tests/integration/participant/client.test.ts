import { afterEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { formatCount, joinRoom, type Participant, type ParticipantState } from '../../../src/participant/index.ts'
import { eventually, type Pusher, serverSdk, withEmulator } from '../emulator/helpers.ts'
import { type AppServer, participantSocket, startAppServer } from './helpers.ts'

// The participant client with real pusher-js in Node, authorized by a real app server, against the
// emulator; the summaries and rosters here are triggered by hand to reach the corner cases (split,
// out of order, malformed). client-broadcaster.test.ts has it follow Headcount's own broadcaster.

const listed = async (emulator: RunningEmulator): Promise<string[]> => {
  const response = await serverSdk(emulator).get({ path: '/channels' })
  return Object.keys(((await response.json()) as { channels: Record<string, unknown> }).channels).sort()
}

/** Waits until the participant's state satisfies `accept`; returns it. */
const until = (participant: Participant, accept: (state: ParticipantState) => boolean): Promise<ParticipantState> =>
  eventually(() => (accept(participant.state) ? participant.state : undefined))

describe('headcount/participant over pusher-js', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  const setUp = async (options: Parameters<typeof startAppServer>[1] = {}) => {
    const emulator = await withEmulator()
    cleanups.push(() => emulator.close())
    const app: AppServer = await startAppServer(emulator, options)
    cleanups.push(() => app.close())
    const sdk: Pusher = serverSdk(emulator)
    const join = (user: string, room: string, extra: Partial<Parameters<typeof joinRoom>[0]> = {}) => {
      const pusher = participantSocket(emulator, app, user)
      cleanups.push(() => pusher.disconnect())
      const participant = joinRoom({ pusher, room, user, ...extra })
      cleanups.push(() => participant.leave())
      return participant
    }
    return { emulator, sdk, join }
  }

  it('joins on both channels, counts itself in, and leaves both', async () => {
    const { emulator, join } = await setUp()
    const ana = join('ana', 'lobby')
    const seen: string[] = []
    ana.subscribe((state) => seen.push(state.status))
    const joined = await until(ana, (state) => state.status === 'joined')
    expect(joined).toMatchObject({
      counted: true,
      listening: true,
      userChannel: 'private-lobby-ana',
      roomChannel: 'lobby',
    })
    expect(await listed(emulator)).toEqual(['lobby', 'private-lobby-ana'])
    ana.leave()
    expect(ana.state).toMatchObject({ status: 'left', counted: false, listening: false })
    await eventually(async () => ((await listed(emulator)).length === 0 ? true : undefined))
    expect(seen[0]).toBe('joining')
    expect(seen).toContain('joined')
    expect(seen.at(-1)).toBe('left')
  })

  it('merges a split summary, keeps counts from the newest ts, and ignores stale and malformed events', async () => {
    const { sdk, join } = await setUp()
    const ana = join('ana', 'lobby')
    await until(ana, (state) => state.status === 'joined')
    await sdk.trigger('lobby', 'occupancy', {
      room: 'lobby',
      count: 5,
      groups: { blue: 2 },
      ts: 100,
      part: 2,
      parts: 2,
    })
    // Only part 2 so far: what came is shown, marked incomplete.
    let state = await until(ana, (s) => s.count === 5)
    expect(state).toMatchObject({ groups: { blue: 2 }, groupsComplete: false, summaryTs: 100 })
    await sdk.trigger('lobby', 'occupancy', { room: 'lobby', count: 5, groups: { red: 3 }, ts: 100, part: 1, parts: 2 })
    state = await until(ana, (s) => s.groupsComplete)
    expect(state.groups).toEqual({ red: 3, blue: 2 })

    // A newer summary's first part: the count moves on, the complete groups stand until it completes.
    await sdk.trigger('lobby', 'occupancy', { room: 'lobby', count: 6, groups: { red: 4 }, ts: 200, part: 1, parts: 2 })
    state = await until(ana, (s) => s.count === 6)
    expect(state.groups).toEqual({ red: 3, blue: 2 })
    // Out of order: an older summary arrives late and is ignored, with the reason.
    await sdk.trigger('lobby', 'occupancy', { room: 'lobby', count: 1, groups: {}, ts: 150 })
    state = await until(ana, (s) => s.ignored.count === 1)
    expect(state.ignored.last).toBe('summary ignored: ts 150 is older than 200 already heard')
    expect(state.count).toBe(6)
    await sdk.trigger('lobby', 'occupancy', {
      room: 'lobby',
      count: 6,
      groups: { blue: 2 },
      ts: 200,
      part: 2,
      parts: 2,
    })
    state = await until(ana, (s) => s.groups.red === 4)
    expect(state).toMatchObject({ groups: { red: 4, blue: 2 }, groupsComplete: true, summaryTs: 200 })

    // Malformed or for another room: ignored, never half-applied.
    await sdk.trigger('lobby', 'occupancy', { room: 'stage', count: 9, groups: {}, ts: 300 })
    await sdk.trigger('lobby', 'occupancy', { room: 'lobby', count: -4, groups: {}, ts: 300 })
    state = await until(ana, (s) => s.ignored.count === 3)
    expect(state.ignored.last).toBe('summary ignored: "count" must be a whole number of 0 or more')
    expect(state.count).toBe(6)
  })

  it('presents approximate counts as such', async () => {
    const { sdk, join } = await setUp()
    const ana = join('ana', 'arena')
    await until(ana, (state) => state.status === 'joined')
    await sdk.trigger('arena', 'occupancy', {
      room: 'arena',
      count: 1_200_000,
      groups: { north: 700_000, south: 500_000 },
      ts: 1,
      approx: true,
      precision: 2,
    })
    const approx = await until(ana, (s) => s.count !== null)
    expect(approx).toMatchObject({ count: 1_200_000, approx: true, precision: 2 })
    expect(formatCount(approx.count, { ...approx, locale: 'en-US' })).toBe('≈1.2M')
    await sdk.trigger('arena', 'occupancy', { room: 'arena', count: 1234, groups: {}, ts: 2 })
    const exact = await until(ana, (s) => s.count === 1234)
    expect(exact).toMatchObject({ approx: false, precision: null })
    expect(formatCount(exact.count, { ...exact, locale: 'en-US' })).toBe('1,234')
  })

  it('gathers a paged roster on the user channel, and keeps the last complete one meanwhile', async () => {
    const { sdk, join } = await setUp()
    const ana = join('ana', 'lobby')
    await until(ana, (state) => state.status === 'joined')
    const page = (friends: string[], ts: number, at: number, of: number) =>
      sdk.trigger('private-lobby-ana', 'friends', { room: 'lobby', user: 'ana', friends, ts, page: at, pages: of })
    await page(['dee', 'eli'], 10, 2, 2)
    expect((await until(ana, (s) => s.friends !== null)).friendsComplete).toBe(false)
    await page(['ben', 'cy'], 10, 1, 2)
    expect(await until(ana, (s) => s.friendsComplete)).toMatchObject({ friends: ['ben', 'cy', 'dee', 'eli'] })
    await page(['ben'], 20, 1, 2)
    await page(['zed'], 5, 1, 1) // stale
    const state = await until(ana, (s) => s.ignored.count === 1)
    expect(state.friends).toEqual(['ben', 'cy', 'dee', 'eli'])
    await page(['cy'], 20, 2, 2)
    expect(await until(ana, (s) => s.rosterTs === 20 && s.friendsComplete)).toMatchObject({ friends: ['ben', 'cy'] })
    // Someone else's roster on ana's channel is not hers.
    await sdk.trigger('private-lobby-ana', 'friends', {
      room: 'lobby',
      user: 'ben',
      friends: [],
      ts: 30,
      page: 1,
      pages: 1,
    })
    expect((await until(ana, (s) => s.ignored.count === 2)).ignored.last).toBe(
      'roster ignored: the roster is for user "ben"',
    )
  })

  it('hears the last summary at once on a cache room channel, and says when there is none yet', async () => {
    const { sdk, join } = await setUp()
    await sdk.trigger('cache-lobby', 'occupancy', { room: 'lobby', count: 41, groups: {}, ts: 7 })
    const ana = join('ana', 'lobby', { roomChannel: 'cache-{room}' })
    expect(await until(ana, (s) => s.count !== null)).toMatchObject({ count: 41, cacheMiss: false })
    const ben = join('ben', 'stage', { roomChannel: 'cache-{room}' })
    expect(await until(ben, (s) => s.cacheMiss)).toMatchObject({ count: null })
    await sdk.trigger('cache-stage', 'occupancy', { room: 'stage', count: 1, groups: {}, ts: 8 })
    expect(await until(ben, (s) => s.count === 1)).toMatchObject({ cacheMiss: false })
  })

  it('reports a refused join in words', async () => {
    const { emulator, join } = await setUp()
    // The app signs only the public {room} channels: a private room channel is refused.
    const ana = join('ana', 'lobby', { roomChannel: 'private-{room}' })
    const failed = await until(ana, (s) => s.status === 'failed')
    expect(failed.error).toMatch(/^Subscribing to private-lobby was refused \(status 403\)/)
    expect(failed.listening).toBe(false)
    // Its own channel was fine: it stays failed, and counted.
    expect(await until(ana, (s) => s.counted)).toMatchObject({ status: 'failed' })
    expect(await listed(emulator)).toEqual(['private-lobby-ana'])
  })

  it('refuses options that make no channel Headcount can count', async () => {
    const { emulator } = await setUp()
    const app = await startAppServer(emulator)
    cleanups.push(() => app.close())
    const pusher = participantSocket(emulator, app, 'ana')
    cleanups.push(() => pusher.disconnect())
    expect(() => joinRoom({ pusher, room: 'lob by', user: 'ana' })).toThrow(
      /The user channel for this room and user: .*a space/,
    )
    expect(() =>
      joinRoom({ pusher, room: 'lobby', user: 'ana', userChannel: 'private-{room}-{group}-{user}' }),
    ).toThrow(/has a \{group\}: give the group/)
    expect(() => joinRoom({ pusher, room: 'lobby', user: 'ana', roomChannel: 'lobby' })).toThrow(/needs a \{room\}/)
    expect(joinRoom({ pusher, room: 'lobby', user: 'ana', group: 'red' }).state.userChannel).toBe(
      'private-lobby-red-ana',
    )
  })
})
