import PusherServer from 'pusher'
import Pusher, { type Channel } from 'pusher-js'
import type { Crowd, CrowdChange } from './crowd.ts'
import { DEFAULT_ROOM_CHANNEL, RoomChannels } from './room-channel.ts'

/** Above this many connections real sockets stop being a rehearsal and start being a load test of this machine. */
export const MAX_SOCKET_CONNECTIONS = 2000
/** The largest crowd offered as sockets: every member on two devices still fits under the connection cap. */
export const MAX_SOCKET_MEMBERS = MAX_SOCKET_CONNECTIONS / 2

export interface SocketDriverOptions {
  /** Where the emulator's WebSocket listens (a wildcard listen address should be given as 127.0.0.1). */
  host: string
  port: number
  appId: string
  key: string
  secret: string
  /** Connections opened at once while populating (default 25). */
  concurrency?: number
  /** How long one connection may take to connect and subscribe (default 10 s). */
  timeoutMs?: number
  /** The room channel each connection also subscribes to (a template with `{room}`), or null; default `{room}`. */
  roomChannel?: string | null
}

interface Connection {
  client: Pusher
  channels: string[]
}

/**
 * Puts a small crowd into the emulator as real `pusher-js` clients, each on its own WebSocket, subscribed
 * to its user channel and its room channel, authorized by signing locally with the server SDK (as an
 * app's auth endpoint would). A user on two devices gets two clients on the same channels.
 */
export class SocketCrowdDriver {
  readonly crowd: Crowd
  readonly roomChannels: RoomChannels | null
  readonly #options: Required<Omit<SocketDriverOptions, 'roomChannel'>>
  readonly #signer: PusherServer
  readonly #connections = new Map<number, Connection[]>()
  /** Ways to abandon connections still being made, so closing never waits on a subscription timeout. */
  readonly #pending = new Set<(reason: string) => void>()
  #closed = false

  constructor(crowd: Crowd, options: SocketDriverOptions) {
    this.crowd = crowd
    const { roomChannel, ...rest } = options
    this.#options = { concurrency: 25, timeoutMs: 10_000, ...rest }
    const template = roomChannel === undefined ? DEFAULT_ROOM_CHANNEL : roomChannel
    const population = crowd.population
    this.roomChannels =
      template === null ? null : new RoomChannels(template, population.rooms, (room) => population.roomId(room))
    // Only key and secret matter for signing; host is what the SDK type asks for.
    this.#signer = new PusherServer({
      appId: options.appId,
      key: options.key,
      secret: options.secret,
      host: options.host,
    })
  }

  /** Open connections (a user on two devices counts twice). */
  get connections(): number {
    let total = 0
    for (const list of this.#connections.values()) total += list.length
    return total
  }

  /** Connects everyone the crowd has present; rejects if any connection fails (and closes those made). */
  async populate(): Promise<number> {
    const users = this.crowd.presentUsers()
    const connections = users.reduce((sum, user) => sum + (this.crowd.population.devices[user] as number), 0)
    if (connections > MAX_SOCKET_CONNECTIONS) {
      throw new RangeError(
        `${connections} socket connections is more than ${MAX_SOCKET_CONNECTIONS}; inject large crowds instead`,
      )
    }
    await this.#joinAll(users)
    return this.connections
  }

  /** Advances the crowd's clock and applies who came and went. */
  async advance(ms: number): Promise<CrowdChange> {
    const change = this.crowd.advance(ms)
    await this.apply(change)
    return change
  }

  async apply(change: CrowdChange): Promise<void> {
    for (const user of change.left) this.#leave(user)
    await this.#joinAll(change.joined)
  }

  /** Disconnects every client; safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true
    for (const abandon of [...this.#pending]) abandon('the socket crowd was closed')
    for (const user of [...this.#connections.keys()]) this.#leave(user)
  }

  async #joinAll(users: Uint32Array): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < users.length) await this.#join(users[next++] as number)
    }
    const workers = Array.from({ length: Math.min(this.#options.concurrency, users.length) }, worker)
    const results = await Promise.allSettled(workers)
    const failure = results.find((result) => result.status === 'rejected')
    if (failure) throw failure.reason
  }

  async #join(user: number): Promise<void> {
    if (this.#closed) throw new Error('the socket crowd is closed')
    if (this.#connections.has(user)) return
    const population = this.crowd.population
    const channels = [population.channel(user)]
    if (this.roomChannels !== null) channels.push(this.roomChannels.name(population.homeRoom[user] as number))
    const list: Connection[] = []
    this.#connections.set(user, list)
    try {
      for (let device = 0; device < (population.devices[user] as number); device++) {
        const connection = await this.#connect(channels, population.userId(user))
        // The user may have been sent away (or the driver closed) while this connection was being made.
        if (this.#connections.get(user) !== list) {
          disconnect(connection)
          return
        }
        list.push(connection)
      }
    } catch (error) {
      this.#leave(user)
      throw error
    }
  }

  /** One client subscribed to every channel of `channels`; presence channels as `userId`. */
  #connect(channels: string[], userId: string): Promise<Connection> {
    const { host, port, key, timeoutMs } = this.#options
    const client = new Pusher(key, {
      cluster: 'local', // required by the type, unused once wsHost is given
      wsHost: host,
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: ({ socketId, channelName: name }, callback) => {
          try {
            const presence = name.startsWith('presence-') ? { user_id: userId } : undefined
            callback(null, this.#signer.authorizeChannel(socketId, name, presence))
          } catch (error) {
            callback(error instanceof Error ? error : new Error(String(error)), null)
          }
        },
      },
    })
    const connection: Connection = { client, channels }
    const channelName = channels[0] as string
    return new Promise<Connection>((resolve, reject) => {
      let settled = false
      const fail = (reason: string): void => {
        if (settled) return
        settled = true
        this.#pending.delete(fail)
        clearTimeout(timer)
        disconnect(connection)
        reject(new Error(`${channelName}: ${reason}`))
      }
      const timer = setTimeout(() => fail(`not subscribed after ${timeoutMs} ms`), timeoutMs)
      this.#pending.add(fail)
      let waiting = channels.length
      for (const name of channels) {
        const subscription: Channel = client.subscribe(name)
        subscription.bind('pusher:subscription_succeeded', () => {
          if (settled || --waiting > 0) return
          settled = true
          this.#pending.delete(fail)
          clearTimeout(timer)
          resolve(connection)
        })
        subscription.bind('pusher:subscription_error', (status: unknown) =>
          fail(`subscription to ${name} refused (${JSON.stringify(status)})`),
        )
      }
      // Pusher reports a refused authorization as a connection-level pusher:error, not on the channel.
      client.connection.bind('error', (error: unknown) => fail(`subscription refused (${describeError(error)})`))
      client.connection.bind('failed', () => fail('WebSocket connection failed'))
    })
  }

  #leave(user: number): void {
    const list = this.#connections.get(user)
    if (!list) return
    this.#connections.delete(user)
    for (const connection of list) disconnect(connection)
  }
}

function disconnect({ client, channels }: Connection): void {
  for (const channel of channels) client.unsubscribe(channel)
  client.disconnect()
  // pusher-js keeps every client it ever made in a static list; drop ours so churn doesn't leak them.
  const index = Pusher.instances.indexOf(client)
  if (index >= 0) Pusher.instances.splice(index, 1)
}

/** pusher-js wraps a server's pusher:error as `{ type, data: { code, message } }`; other errors vary. */
function describeError(error: unknown): string {
  const data = (error as { data?: { message?: unknown; code?: unknown } } | null)?.data
  if (data && typeof data.message === 'string')
    return data.code == null ? data.message : `${data.code}: ${data.message}`
  return error instanceof Error ? error.message : JSON.stringify(error)
}
