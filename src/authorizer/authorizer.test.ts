import { createHmac } from 'node:crypto'
import Pusher from 'pusher'
import { describe, expect, it } from 'vitest'
import { type AuthorizeResult, createAuthorizer } from './authorizer.ts'

// The real server SDK signs; the checks below verify its signatures as the Channels server would.
const sdk = new Pusher({ appId: '1', key: 'app-key', secret: 'app-secret', host: '127.0.0.1' })
const SOCKET = '123.456'

function signature(result: AuthorizeResult, channel: string): boolean {
  if (!result.ok) return false
  const data = result.body.channel_data
  const toSign = data === undefined ? `${SOCKET}:${channel}` : `${SOCKET}:${channel}:${data}`
  return result.body.auth === `app-key:${createHmac('sha256', 'app-secret').update(toSign).digest('hex')}`
}

const ask = (authorizer: ReturnType<typeof createAuthorizer>, user: string | null, channelName: unknown) =>
  authorizer.authorize({ user, socketId: SOCKET, channelName })

describe('createAuthorizer', () => {
  it("signs the signed-in user's own channel, and nobody else's", async () => {
    const authorizer = createAuthorizer({ pusher: sdk })
    const own = await ask(authorizer, 'ana', 'private-lobby-ana')
    expect(own).toMatchObject({ ok: true, status: 200, room: 'lobby', channel: 'user' })
    expect(signature(own, 'private-lobby-ana')).toBe(true)
    expect(await ask(authorizer, 'ana', 'private-lobby-ben')).toEqual({
      ok: false,
      status: 403,
      reason: "private-lobby-ben is ben's channel in room lobby, not yours",
    })
  })

  it('reads names as Headcount does: a room id cannot hide part of a user id', async () => {
    const authorizer = createAuthorizer({ pusher: sdk })
    // Headcount reads private-lobby-x-ana as user "x-ana" in room "lobby", so "ana" may not have it…
    expect(await ask(authorizer, 'ana', 'private-lobby-x-ana')).toMatchObject({ ok: false, status: 403 })
    // …and "x-ana" may.
    expect(await ask(authorizer, 'x-ana', 'private-lobby-x-ana')).toMatchObject({ ok: true, room: 'lobby' })
  })

  it('signs room channels from the templates given, and only rooms that read back as themselves', async () => {
    const authorizer = createAuthorizer({
      pusher: sdk,
      roomChannels: ['{room}', 'private-{room}', 'cache-{room}', 'presence-{room}'],
    })
    for (const channel of ['private-lobby', 'cache-lobby']) {
      const result = await ask(authorizer, 'ana', channel)
      expect(result).toMatchObject({ ok: true, room: 'lobby', channel: 'room' })
      expect(signature(result, channel)).toBe(true)
    }
    // Presence room channels carry the signed-in user as the member: nobody joins as someone else.
    const presence = await ask(authorizer, 'ana', 'presence-lobby')
    expect(presence.ok && JSON.parse(presence.body.channel_data ?? '')).toEqual({ user_id: 'ana' })
    expect(signature(presence, 'presence-lobby')).toBe(true)
    // A room id holding the separator would read as someone's channel: refused, never a room.
    expect(await ask(authorizer, 'ana', 'private-lob-by')).toMatchObject({ ok: false, status: 403 })
    expect(await ask(authorizer, 'ana', 'private-other')).toMatchObject({ ok: true, room: 'other' })
  })

  it('never lets {room} stretch over a channel prefix', async () => {
    const dotted = createAuthorizer({
      pusher: sdk,
      userChannel: 'private-{room}.{user}',
      roomChannels: ['{room}', 'private-{room}'],
    })
    for (const channel of ['private-admin', 'presence-admin', 'private-encrypted-vault', 'private-cache-x']) {
      if (channel === 'private-admin') continue // a private room named "admin" from private-{room}: fine
      expect(await ask(dotted, 'ana', channel)).toMatchObject({ ok: false, status: 403 })
    }
    const publicOnly = createAuthorizer({ pusher: sdk, userChannel: 'private-{room}.{user}' })
    expect(await ask(publicOnly, 'ana', 'private-admin')).toMatchObject({ ok: false, status: 403 })
    expect(await ask(publicOnly, 'ana', 'private-lobby.ana')).toMatchObject({ ok: true, channel: 'user' })
  })

  it('checks the group with the server, when the convention has one', async () => {
    const authorizer = createAuthorizer({
      pusher: sdk,
      userChannel: 'private-{room}-{group}-{user}',
      groupOf: (user, room) => (user === 'ana' && room === 'lobby' ? 'red' : null),
    })
    expect(await ask(authorizer, 'ana', 'private-lobby-red-ana')).toMatchObject({ ok: true })
    expect(await ask(authorizer, 'ana', 'private-lobby-blue-ana')).toEqual({
      ok: false,
      status: 403,
      reason: 'private-lobby-blue-ana puts you in group blue; your group in lobby is red',
    })
    expect(await ask(authorizer, 'ana', 'private-stage-red-ana')).toMatchObject({
      ok: false,
      reason: 'You have no group in room stage, so no channel there',
    })
  })

  it('asks the app who may join which room, for both channels', async () => {
    const authorizer = createAuthorizer({
      pusher: sdk,
      roomChannels: ['private-{room}'],
      canJoin: async (_user, room) => room !== 'vip',
    })
    expect(await ask(authorizer, 'ana', 'private-vip-ana')).toMatchObject({
      status: 403,
      reason: /may not join room vip/,
    })
    expect(await ask(authorizer, 'ana', 'private-vip')).toMatchObject({ status: 403, reason: /may not join room vip/ })
    expect(await ask(authorizer, 'ana', 'private-lobby')).toMatchObject({ ok: true })
  })

  it('refuses malformed requests in words', async () => {
    const authorizer = createAuthorizer({ pusher: sdk })
    expect(await ask(authorizer, null, 'private-lobby-ana')).toMatchObject({ status: 401, reason: /Sign in/ })
    expect(await ask(authorizer, '', 'private-lobby-ana')).toMatchObject({ status: 401 })
    expect(await authorizer.authorize({ user: 'ana', socketId: '1', channelName: 'private-lobby-ana' })).toMatchObject({
      status: 400,
      reason: /socket_id/,
    })
    expect(await ask(authorizer, 'ana', undefined)).toMatchObject({ status: 400, reason: /channel_name is missing/ })
    expect(await ask(authorizer, 'ana', 'private-lobby-an a')).toMatchObject({ status: 400, reason: /a space/ })
    expect(await ask(authorizer, 'ana', '#server-to-user-ana')).toMatchObject({ status: 400 })
    expect(await ask(authorizer, 'ana', 'presence-lobby')).toMatchObject({
      status: 403,
      reason: /neither your channel/,
    })
  })

  it('refuses a setup that would sign what it should not', () => {
    expect(() => createAuthorizer({ pusher: sdk, userChannel: '{room}-{user}' })).toThrow(/must make private channels/)
    expect(() => createAuthorizer({ pusher: sdk, userChannel: 'private-encrypted-{room}-{user}' })).toThrow(
      /not encrypted/,
    )
    expect(() => createAuthorizer({ pusher: sdk, userChannel: 'private-{room}' })).toThrow(/needs a \{user\}/)
    expect(() => createAuthorizer({ pusher: sdk, userChannel: 'private-{room}-{group}-{user}' })).toThrow(/groupOf/)
    expect(() => createAuthorizer({ pusher: sdk, roomChannels: ['lobby'] })).toThrow(/needs a \{room\}/)
    // Under private-{room}-{user}, private-cache-lobby reads as user "lobby" in room "cache".
    expect(() => createAuthorizer({ pusher: sdk, roomChannels: ['private-cache-{room}'] })).toThrow(
      /read as participant channels .* user "lobby" in room "cache"/,
    )
    expect(
      createAuthorizer({ pusher: sdk, userChannel: 'private-{room}.{user}', roomChannels: ['private-cache-{room}'] }),
    ).toBeDefined()
    expect(() => createAuthorizer({ pusher: sdk, roomChannels: ['{room}-{user}'] })).toThrow(/\{user\}/)
  })
})
