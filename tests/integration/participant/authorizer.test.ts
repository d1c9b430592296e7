import { afterEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { connectionError, eventually, PusherJs, serverSdk, withEmulator } from '../emulator/helpers.ts'
import { participantSocket, startAppServer, trySubscribe, USER_HEADER } from './helpers.ts'

// The authorizer over real HTTP, asked by real pusher-js clients, against the emulator: nobody can be
// counted in a room as somebody else.

const listed = async (emulator: RunningEmulator, prefix: string): Promise<string[]> => {
  const response = await serverSdk(emulator).get({ path: '/channels', params: { filter_by_prefix: prefix } })
  return Object.keys(((await response.json()) as { channels: Record<string, unknown> }).channels).sort()
}

describe('headcount/authorizer behind an app server', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  const setUp = async (options: Parameters<typeof startAppServer>[1] = {}) => {
    const emulator = await withEmulator()
    cleanups.push(() => emulator.close())
    const app = await startAppServer(emulator, options)
    cleanups.push(() => app.close())
    const socket = (user: string | null): PusherJs => {
      const client = participantSocket(emulator, app, user)
      cleanups.push(() => client.disconnect())
      return client
    }
    return { emulator, app, socket }
  }

  it("lets a user hold their own channel and refuses anyone else's, so the emulator never sees it", async () => {
    const { emulator, app, socket } = await setUp()
    const ana = socket('ana')
    expect(await trySubscribe(ana, 'private-lobby-ana')).toEqual({ ok: true })
    const refused = await trySubscribe(ana, 'private-lobby-ben')
    expect(refused).toMatchObject({ ok: false, error: { type: 'AuthError', status: 403 } })
    expect(app.answers.at(-1)).toEqual({
      ok: false,
      status: 403,
      reason: "private-lobby-ben is ben's channel in room lobby, not yours",
    })
    expect(await listed(emulator, 'private-')).toEqual(['private-lobby-ana'])
    // Ben himself may.
    expect(await trySubscribe(socket('ben'), 'private-lobby-ben')).toEqual({ ok: true })
    expect(await listed(emulator, 'private-')).toEqual(['private-lobby-ana', 'private-lobby-ben'])
  })

  it("is no use for a signature of one's own channel either: the emulator refuses it on another", async () => {
    const { emulator, app } = await setUp()
    // A client that asks the app for its own channel's signature and presents it for ben's.
    const forger = new PusherJs(emulator.key, {
      cluster: 'x',
      wsHost: '127.0.0.1',
      wsPort: emulator.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: ({ socketId }, callback) => {
          fetch(app.authUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded', [USER_HEADER]: 'ana' },
            body: new URLSearchParams({ socket_id: socketId, channel_name: 'private-lobby-ana' }).toString(),
          })
            .then(async (response) => callback(null, (await response.json()) as { auth: string }))
            .catch((error: Error) => callback(error, null))
        },
      },
    })
    cleanups.push(() => forger.disconnect())
    const refusal = connectionError(forger)
    forger.subscribe('private-lobby-ben')
    expect((await refusal).message).toMatch(/^Invalid signature/)
    expect(await listed(emulator, 'private-')).toEqual([])
  })

  it('signs the room channels it is given, presence ones as the signed-in user', async () => {
    const { emulator, socket } = await setUp({ roomChannels: ['private-{room}', 'presence-{room}'] })
    const ana = socket('ana')
    expect(await trySubscribe(ana, 'private-lobby')).toEqual({ ok: true })
    expect(await trySubscribe(ana, 'presence-lobby')).toEqual({ ok: true })
    const users = (await (await serverSdk(emulator).get({ path: '/channels/presence-lobby/users' })).json()) as {
      users: Array<{ id: string }>
    }
    expect(users.users).toEqual([{ id: 'ana' }])
    expect(await trySubscribe(ana, 'private-cache-lobby')).toMatchObject({ ok: false, error: { status: 403 } })
  })

  it('checks the group with the app, and refuses a user who is not signed in', async () => {
    const { socket } = await setUp({
      userChannel: 'private-{room}-{group}-{user}',
      groupOf: (user) => (user === 'ana' ? 'red' : null),
    })
    const ana = socket('ana')
    expect(await trySubscribe(ana, 'private-lobby-red-ana')).toEqual({ ok: true })
    expect(await trySubscribe(ana, 'private-lobby-blue-ana')).toMatchObject({ ok: false, error: { status: 403 } })
    expect(await trySubscribe(socket(null), 'private-lobby-red-ana')).toMatchObject({
      ok: false,
      error: { status: 401 },
    })
  })

  it('answers malformed HTTP requests in words', async () => {
    const { app } = await setUp()
    const post = (body: string, type: string, headers: Record<string, string> = {}) =>
      fetch(app.authUrl, { method: 'POST', headers: { 'Content-Type': type, ...headers }, body })
    const json = await post(
      JSON.stringify({ socket_id: '1.2', channel_name: 'private-lobby-ana' }),
      'application/json',
      {
        [USER_HEADER]: 'ana',
      },
    )
    expect(json.status).toBe(200)
    expect(json.headers.get('cache-control')).toBe('no-store')
    expect(((await json.json()) as { auth: string }).auth).toMatch(/^headcount-key:[0-9a-f]{64}$/)
    const broken = await post('{not json', 'application/json', { [USER_HEADER]: 'ana' })
    expect(broken.status).toBe(400)
    expect(await broken.json()).toEqual({ error: 'The body is not valid JSON' })
    const badSocket = await post('socket_id=abc&channel_name=private-lobby-ana', 'application/x-www-form-urlencoded', {
      [USER_HEADER]: 'ana',
    })
    expect(badSocket.status).toBe(400)
    expect(((await badSocket.json()) as { error: string }).error).toMatch(/socket_id/)
    const huge = await post('socket_id=1.2&x=' + 'a'.repeat(10_000), 'application/x-www-form-urlencoded')
    expect(huge.status).toBe(413)
    const get = await fetch(app.authUrl)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    await eventually(() => (app.answers.length >= 2 ? true : undefined))
  })
})
