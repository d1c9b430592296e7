// Pusher WebSocket protocol 7 at /app/{key}: connection handshake, ping/pong and liveness, subscribe and
// unsubscribe with authorization, presence, client events, sign-in, and Pusher's errors and close codes.
// A bad frame gets a pusher:error; it never takes the server down.
import type { IncomingMessage } from 'node:http'
import { randomInt } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { z } from 'zod'
import { MAX_USER_ID_LENGTH, MAX_USER_INFO_BYTES, MAX_WS_MESSAGE_BYTES } from '../shared/pusher-limits.ts'
import { channelKind, channelNameProblem, isServerToUserChannel, serverToUserChannel, utf8Length } from './limits.ts'
import type { ResolvedOptions } from './options.ts'
import { channelAuthString, hmacHex, safeEqual, userAuthString } from './signature.ts'
import type { AppState, SocketSubscriber } from './state.ts'
import type { WebhookEvent } from './webhook-batcher.ts'

/** Frames beyond this are cut off by ws itself (close 1009); up to it we answer with pusher:error. */
const HARD_FRAME_LIMIT = 1024 * 1024
const MIN_PROTOCOL = 4
const MAX_PROTOCOL = 7
const VERSION = /^\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/
/** Each part of a socket id is below this: up to 10 digits, the `\d+.\d+` form the server SDKs check. */
const SOCKET_ID_PART_LIMIT = 10_000_000_000
/** Soketi's status for a channel name it refuses; Pusher documents none. */
const INVALID_CHANNEL_STATUS = 4009

export class Connection implements SocketSubscriber {
  readonly socketId: string
  readonly ws: WebSocket
  readonly channels = new Set<string>()
  /** user_id from pusher:signin. */
  userId: string | null = null
  /** user_ids this connection uses on presence channels (for terminate_connections). */
  presenceUsers: Set<string> | null = null
  lastActivity = Date.now()
  pingSentAt = 0
  rateWindow = 0
  rateCount = 0
  detached = false

  constructor(socketId: string, ws: WebSocket) {
    this.socketId = socketId
    this.ws = ws
  }

  send(frame: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame)
  }
}

const SubscribeData = z.object({
  channel: z.string(),
  auth: z.string().optional(),
  channel_data: z.string().optional(),
})

const SigninData = z.object({ auth: z.string(), user_data: z.string() })

const ChannelData = z.object({
  user_id: z.union([z.string(), z.number()]),
  user_info: z.unknown().optional(),
})

const UserData = z.looseObject({ id: z.string() })

const Message = z.object({ event: z.string(), channel: z.string().optional(), data: z.unknown().optional() })

export interface WsServerDeps {
  options: ResolvedOptions
  state: AppState
  webhook: ((event: WebhookEvent) => void) | null
}

export class WsServer {
  readonly connections = new Map<string, Connection>()
  private readonly wss: WebSocketServer
  private readonly deps: WsServerDeps
  private readonly sweepTimer: NodeJS.Timeout

  constructor(deps: WsServerDeps) {
    this.deps = deps
    this.wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT, perMessageDeflate: false })
    const { activityTimeoutSec, pongTimeoutSec } = deps.options
    const period = Math.min(5000, Math.max(50, (Math.min(activityTimeoutSec, pongTimeoutSec) * 1000) / 4))
    this.sweepTimer = setInterval(() => this.sweep(), period)
    this.sweepTimer.unref()
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req))
  }

  /** Closes every connection of a user (signed in, or subscribed to presence channels as that user). */
  terminateUser(userId: string): void {
    for (const conn of [...this.connections.values()]) {
      if (conn.userId === userId || conn.presenceUsers?.has(userId)) {
        this.closeConnection(conn, 4009, 'Connection terminated by the application server')
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer)
    for (const conn of [...this.connections.values()]) this.closeConnection(conn, 1001, 'Emulator shutting down')
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }

  // ---- connection lifecycle ------------------------------------------------------------------

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const { options } = this.deps
    ws.on('error', (error) => options.logger.warn('emulator websocket error', error))
    const url = URL.parse(req.url ?? '/', 'http://emulator.invalid')
    const match = url === null ? null : /^\/app\/([^/]+)\/?$/.exec(url.pathname)
    if (url === null || match === null) return this.refuse(ws, 4005, 'Path not found')
    const key = decodeURIComponent(match[1] ?? '')
    if (key !== options.key) {
      return this.refuse(ws, 4001, `App key ${key} not in this cluster. Did you forget to specify the cluster?`)
    }
    const protocol = url.searchParams.get('protocol')
    if (protocol === null) return this.refuse(ws, 4008, 'No protocol version supplied')
    const protocolNumber = Number(protocol)
    if (!Number.isInteger(protocolNumber) || protocolNumber < MIN_PROTOCOL || protocolNumber > MAX_PROTOCOL) {
      return this.refuse(ws, 4007, `Unsupported protocol version ${protocol}`)
    }
    const version = url.searchParams.get('version')
    if (version !== null && !VERSION.test(version))
      return this.refuse(ws, 4006, `Invalid version string format '${version}'`)

    const conn = new Connection(this.newSocketId(), ws)
    this.connections.set(conn.socketId, conn)
    ws.on('message', (raw, isBinary) => this.onMessage(conn, raw, isBinary))
    ws.on('pong', () => this.touch(conn))
    ws.on('close', () => this.detach(conn))
    conn.send(
      JSON.stringify({
        event: 'pusher:connection_established',
        data: JSON.stringify({ socket_id: conn.socketId, activity_timeout: options.activityTimeoutSec }),
      }),
    )
  }

  /**
   * Both parts random, as Pusher's and Soketi's are: clients that derive user ids from socket ids, or
   * tests that tell connections apart by them, must not see one shared prefix and a counter.
   */
  private newSocketId(): string {
    for (;;) {
      const id = `${randomInt(1, SOCKET_ID_PART_LIMIT)}.${randomInt(1, SOCKET_ID_PART_LIMIT)}`
      if (!this.connections.has(id)) return id
    }
  }

  /** Pusher sends the error event before closing, so old clients without close codes still learn why. */
  private refuse(ws: WebSocket, code: number, message: string): void {
    ws.send(JSON.stringify({ event: 'pusher:error', data: { code, message } }))
    ws.close(code, message)
  }

  private closeConnection(conn: Connection, code: number, reason: string): void {
    this.detach(conn)
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING)
      conn.ws.close(code, reason)
  }

  private detach(conn: Connection): void {
    if (conn.detached) return
    conn.detached = true
    this.connections.delete(conn.socketId)
    for (const name of conn.channels) this.deps.state.unsubscribeSocket(conn, name)
    conn.channels.clear()
  }

  private touch(conn: Connection): void {
    conn.lastActivity = Date.now()
    conn.pingSentAt = 0
  }

  private sweep(): void {
    const now = Date.now()
    const { activityTimeoutSec, pongTimeoutSec } = this.deps.options
    for (const conn of [...this.connections.values()]) {
      if (conn.pingSentAt !== 0) {
        if (now - conn.pingSentAt > pongTimeoutSec * 1000) {
          this.closeConnection(conn, 4201, 'Pong reply not received')
        }
      } else if (now - conn.lastActivity > activityTimeoutSec * 1000) {
        conn.pingSentAt = now
        if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping()
      }
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  private error(conn: Connection, message: string, code: number | null = null): void {
    conn.send(JSON.stringify({ event: 'pusher:error', data: { code, message } }))
  }

  private onMessage(conn: Connection, raw: RawData, isBinary: boolean): void {
    this.touch(conn)
    if (conn.detached) return
    if (isBinary) return this.error(conn, 'Binary frames are not supported; send UTF-8 JSON text')
    const buffer = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
    if (buffer.length > MAX_WS_MESSAGE_BYTES) {
      return this.error(conn, `Message of ${buffer.length} bytes exceeds the ${MAX_WS_MESSAGE_BYTES} byte limit`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(buffer.toString('utf8'))
    } catch {
      return this.error(conn, 'Invalid JSON: could not parse the message')
    }
    const message = Message.safeParse(parsed)
    if (!message.success) return this.error(conn, 'Invalid message: expected a JSON object with a string "event"')
    const { event, channel } = message.data
    // Clients may send data double-encoded as a string; pusher-js sends objects.
    let data = message.data.data
    if (typeof data === 'string' && event.startsWith('pusher:')) {
      try {
        data = JSON.parse(data)
      } catch {
        // leave it as a string; the schema checks below will refuse it
      }
    }
    try {
      switch (event) {
        case 'pusher:ping':
          return conn.send(JSON.stringify({ event: 'pusher:pong', data: {} }))
        case 'pusher:pong':
          return
        case 'pusher:subscribe':
          return this.subscribe(conn, data)
        case 'pusher:unsubscribe':
          return this.unsubscribe(conn, data)
        case 'pusher:signin':
          return this.signin(conn, data)
        default:
          if (event.startsWith('client-')) return this.clientEvent(conn, event, channel, message.data.data)
          return this.error(conn, `Unsupported event received: ${event}`)
      }
    } catch (error) {
      this.deps.options.logger.error('emulator failed handling a websocket message', error)
      this.error(conn, 'Internal error handling the message')
    }
  }

  private subscribe(conn: Connection, raw: unknown): void {
    const { state } = this.deps
    const parsed = SubscribeData.safeParse(raw)
    if (!parsed.success) return this.error(conn, 'Invalid pusher:subscribe: data.channel must be a string')
    const { channel, auth, channel_data: channelData } = parsed.data
    const problem = channelNameProblem(channel, true)
    if (problem !== null) {
      // Scoped to the channel, so pusher-js raises it there as pusher:subscription_error; a nameless
      // subscribe has no channel to scope it to.
      if (channel === '') return this.error(conn, `Invalid channel: ${problem}`)
      return this.subscriptionError(
        conn,
        channel,
        'InvalidChannel',
        `Invalid channel: ${problem}`,
        INVALID_CHANNEL_STATUS,
      )
    }
    if (conn.channels.has(channel)) return this.error(conn, `Existing subscription to channel ${channel}`)
    const kind = channelKind(channel)

    if (isServerToUserChannel(channel)) {
      if (conn.userId === null || channel !== serverToUserChannel(conn.userId)) {
        return this.error(conn, `Subscription to ${channel} requires signing in as that user first`)
      }
    } else if (kind === 'private' || kind === 'presence') {
      const toSign = channelAuthString(conn.socketId, channel, kind === 'presence' ? channelData : undefined)
      const authProblem = this.checkAuth(auth, toSign)
      if (authProblem !== null) return this.error(conn, authProblem)
    }

    let user: { id: string; info: unknown } | undefined
    if (kind === 'presence') {
      if (channelData === undefined) return this.error(conn, `Presence channel ${channel} requires channel_data`)
      let decoded: unknown
      try {
        decoded = JSON.parse(channelData)
      } catch {
        return this.error(conn, 'Invalid channel_data: not valid JSON')
      }
      const presence = ChannelData.safeParse(decoded)
      if (!presence.success) return this.error(conn, 'Invalid channel_data: user_id is required')
      const id = String(presence.data.user_id)
      if (id.length === 0 || id.length > MAX_USER_ID_LENGTH) {
        return this.error(conn, `Invalid channel_data: user_id must be 1 to ${MAX_USER_ID_LENGTH} characters`)
      }
      const info = presence.data.user_info ?? null
      const infoSize = utf8Length(JSON.stringify(info) ?? 'null')
      if (infoSize > MAX_USER_INFO_BYTES) {
        return this.error(
          conn,
          `Invalid channel_data: user_info is ${infoSize} bytes; the limit is ${MAX_USER_INFO_BYTES}`,
        )
      }
      user = { id, info }
    }

    const result = state.subscribeSocket(conn, channel, user)
    if (!result.ok) {
      if (result.reason === 'duplicate') return this.error(conn, `Existing subscription to channel ${channel}`)
      const message = `Cannot subscribe to ${channel}: the presence channel is full (limit ${state.presenceLimit} members)`
      this.subscriptionError(conn, channel, 'LimitReached', message, 4100)
      return this.error(conn, message, 4100)
    }
    conn.channels.add(channel)
    if (user !== undefined) {
      if (conn.presenceUsers === null) conn.presenceUsers = new Set()
      conn.presenceUsers.add(user.id)
    }
    conn.send(
      JSON.stringify({
        event: 'pusher_internal:subscription_succeeded',
        channel,
        data: kind === 'presence' ? state.presenceSnapshot(channel) : '{}',
      }),
    )
    state.welcomeToCache(conn, channel)
  }

  /** A refusal scoped to the channel: pusher-js raises it on the channel object as pusher:subscription_error. */
  private subscriptionError(conn: Connection, channel: string, type: string, error: string, status: number): void {
    conn.send(
      JSON.stringify({ event: 'pusher:subscription_error', channel, data: JSON.stringify({ type, error, status }) }),
    )
  }

  private checkAuth(auth: string | undefined, toSign: string): string | null {
    const { key, secret } = this.deps.options
    if (auth === undefined || auth === '')
      return 'Invalid signature: auth is required for private and presence channels'
    const colon = auth.indexOf(':')
    const authKey = colon < 0 ? '' : auth.slice(0, colon)
    const signature = colon < 0 ? auth : auth.slice(colon + 1)
    if (authKey !== key) return `Invalid key '${authKey}' in auth: expected '${key}:<signature>'`
    if (!safeEqual(hmacHex(secret, toSign), signature)) {
      return `Invalid signature: Expected HMAC SHA256 hex digest of ${toSign}, but got ${signature}`
    }
    return null
  }

  private unsubscribe(conn: Connection, raw: unknown): void {
    const parsed = z.object({ channel: z.string() }).safeParse(raw)
    if (!parsed.success) return this.error(conn, 'Invalid pusher:unsubscribe: data.channel must be a string')
    const { channel } = parsed.data
    if (!conn.channels.delete(channel)) return
    const { state } = this.deps
    state.unsubscribeSocket(conn, channel)
    if (conn.presenceUsers !== null && channelKind(channel) === 'presence') {
      // Recompute so terminate_connections only matches users this connection still presents as.
      conn.presenceUsers = new Set()
      for (const name of conn.channels) {
        const userId = state.channel(name)?.sockets?.get(conn)
        if (typeof userId === 'string') conn.presenceUsers.add(userId)
      }
    }
  }

  private signin(conn: Connection, raw: unknown): void {
    const parsed = SigninData.safeParse(raw)
    if (!parsed.success) return this.error(conn, 'Invalid pusher:signin: data.auth and data.user_data must be strings')
    const { auth, user_data: userData } = parsed.data
    const authProblem = this.checkAuth(auth, userAuthString(conn.socketId, userData))
    if (authProblem !== null) return this.error(conn, authProblem)
    let decoded: unknown
    try {
      decoded = JSON.parse(userData)
    } catch {
      return this.error(conn, 'Invalid user_data: not valid JSON')
    }
    const user = UserData.safeParse(decoded)
    if (!user.success || user.data.id.length === 0 || user.data.id.length > MAX_USER_ID_LENGTH) {
      return this.error(conn, `Invalid user_data: id must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`)
    }
    if (conn.userId !== null && conn.userId !== user.data.id) {
      return this.error(conn, `Connection is already signed in as a different user`)
    }
    conn.userId = user.data.id
    conn.send(JSON.stringify({ event: 'pusher:signin_success', data: { user_data: userData } }))
  }

  private clientEvent(conn: Connection, event: string, channel: string | undefined, data: unknown): void {
    const { options, state, webhook } = this.deps
    if (channel === undefined) return this.error(conn, 'Client event rejected: channel is required')
    const kind = channelKind(channel)
    if (kind !== 'private' && kind !== 'presence') {
      return this.error(
        conn,
        `Client event rejected: client events are only supported on private and presence channels, not ${channel}`,
      )
    }
    if (!conn.channels.has(channel))
      return this.error(conn, `Client event rejected: not subscribed to channel ${channel}`)
    const now = Date.now()
    const window = Math.floor(now / 1000)
    if (conn.rateWindow !== window) {
      conn.rateWindow = window
      conn.rateCount = 0
    }
    if (conn.rateCount >= options.clientEventsPerSecond) {
      return this.error(conn, 'Client event rejected due to rate limit', 4301)
    }
    conn.rateCount++
    const payload = typeof data === 'string' ? data : (JSON.stringify(data) ?? 'null')
    const userId = kind === 'presence' ? (state.channel(channel)?.sockets?.get(conn) ?? undefined) : undefined
    const frame: Record<string, string> = { event, channel, data: payload }
    if (userId !== undefined) frame.user_id = userId
    state.accounting.published++
    state.publish(channel, JSON.stringify(frame), 'client_event', conn.socketId)
    webhook?.(
      userId === undefined
        ? { name: 'client_event', channel, event, data: payload, socket_id: conn.socketId }
        : { name: 'client_event', channel, event, data: payload, socket_id: conn.socketId, user_id: userId },
    )
  }
}
