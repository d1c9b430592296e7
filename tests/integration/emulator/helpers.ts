// Shared plumbing for the emulator's integration tests: the official server SDK and pusher-js pointed
// at a running emulator, a raw WebSocket client for protocol-level checks, and a webhook receiver.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Pusher from 'pusher'
import PusherJs from 'pusher-js'
import WebSocket from 'ws'
import { type RunningEmulator, startEmulator } from '../../../src/emulator/index.ts'
import type { EmulatorOptions } from '../../../src/emulator/options.ts'

export type ClientOptions = { userId?: string; userInfo?: Record<string, unknown>; signin?: boolean }

export async function withEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ vacateDelayMs: 200, webhookBatchMs: 20, ...options })
}

export function serverSdk(emulator: RunningEmulator): Pusher {
  return new Pusher({
    appId: emulator.appId,
    key: emulator.key,
    secret: emulator.secret,
    host: '127.0.0.1',
    port: String(emulator.port),
    useTLS: false,
  })
}

/** A pusher-js client that authorizes private and presence channels by signing with the server SDK. */
export function client(emulator: RunningEmulator, opts: ClientOptions = {}): PusherJs {
  const sdk = serverSdk(emulator)
  const socket = new PusherJs(emulator.key, {
    cluster: 'x',
    wsHost: '127.0.0.1',
    wsPort: emulator.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      customHandler: (params, callback) => {
        const presence = params.channelName.startsWith('presence-')
        const auth = presence
          ? sdk.authorizeChannel(params.socketId, params.channelName, {
              user_id: opts.userId ?? 'anon',
              user_info: opts.userInfo ?? {},
            })
          : sdk.authorizeChannel(params.socketId, params.channelName)
        callback(null, auth)
      },
    },
    userAuthentication: {
      customHandler: (params, callback) => {
        callback(null, sdk.authenticateUser(params.socketId, { id: opts.userId ?? 'anon' }))
      },
    },
  })
  return socket
}

export function connected(socket: PusherJs): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.connection.state === 'connected') return resolve(socket.connection.socket_id)
    socket.connection.bind('connected', () => resolve(socket.connection.socket_id))
    socket.connection.bind('failed', () => reject(new Error('pusher-js connection failed')))
  })
}

export function subscribed(socket: PusherJs, channelName: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const channel = socket.subscribe(channelName)
    channel.bind('pusher:subscription_succeeded', (data: unknown) => resolve(data))
    channel.bind('pusher:subscription_error', (error: unknown) =>
      reject(new Error(`subscription_error ${JSON.stringify(error)}`)),
    )
  })
}

export function nextEvent<T = unknown>(socket: PusherJs, channelName: string, eventName: string): Promise<T> {
  return new Promise((resolve) => {
    const channel = socket.channel(channelName) ?? socket.subscribe(channelName)
    const handler = (data: T): void => {
      channel.unbind(eventName, handler)
      resolve(data)
    }
    channel.bind(eventName, handler)
  })
}

type PusherJsError = { type: string; data?: { code: number | null; message: string }; error?: PusherJsError }

/** The next Pusher error a pusher-js connection reports (pusher-js wraps handshake errors once). */
export function connectionError(socket: PusherJs): Promise<{ code: number | null; message: string }> {
  return new Promise((resolve) => {
    const handler = (error: PusherJsError): void => {
      const inner = error.type === 'PusherError' ? error : error.error
      if (inner?.type !== 'PusherError' || inner.data === undefined) return
      socket.connection.unbind('error', handler)
      resolve(inner.data)
    }
    socket.connection.bind('error', handler)
  })
}

/** Polls until `check` returns a value other than undefined (no timing assertions: tests time out instead). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, intervalMs = 10): Promise<T> {
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// ---- raw protocol client ---------------------------------------------------------------------------

export interface RawFrame {
  event: string
  channel?: string
  data?: unknown
  user_id?: string
}

export class RawClient {
  readonly ws: WebSocket
  readonly frames: RawFrame[] = []
  closeCode: number | null = null
  closeReason = ''
  private waiters: Array<() => void> = []

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options)
    this.ws.on('message', (raw) => {
      this.frames.push(JSON.parse(String(raw)) as RawFrame)
      this.wake()
    })
    this.ws.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = String(reason)
      this.wake()
    })
    this.ws.on('error', () => this.wake())
  }

  static async open(
    emulator: RunningEmulator,
    query = 'protocol=7&client=js&version=8.6.0',
    options: WebSocket.ClientOptions = {},
  ): Promise<RawClient> {
    const c = new RawClient(`ws://127.0.0.1:${emulator.port}/app/${emulator.key}?${query}`, options)
    const established = await c.next('pusher:connection_established')
    c.socketId = (JSON.parse(established.data as string) as { socket_id: string }).socket_id
    return c
  }

  socketId = ''

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Waits for the first not-yet-consumed frame with this event (and channel), removing it. */
  async next(event: string, channel?: string): Promise<RawFrame> {
    for (;;) {
      const index = this.frames.findIndex((f) => f.event === event && (channel === undefined || f.channel === channel))
      if (index >= 0) return this.frames.splice(index, 1)[0] as RawFrame
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) while waiting for ${event}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  async closed(): Promise<number> {
    while (this.closeCode === null) await new Promise<void>((resolve) => this.waiters.push(resolve))
    return this.closeCode
  }

  has(event: string, channel?: string): boolean {
    return this.frames.some((f) => f.event === event && (channel === undefined || f.channel === channel))
  }

  close(): void {
    this.ws.close()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

// ---- webhook receiver -------------------------------------------------------------------------------

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders
  rawBody: string
  body: { time_ms: number; events: Array<Record<string, string>> }
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = []
  /** Status codes to answer with, one per request, before answering 200. */
  failures: number[] = []
  attempts = 0
  private server: Server | null = null
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        this.attempts++
        const failure = this.failures.shift()
        if (failure !== undefined) {
          res.writeHead(failure).end()
          return
        }
        const rawBody = Buffer.concat(chunks).toString('utf8')
        this.received.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody) as ReceivedWebhook['body'] })
        res.writeHead(200).end()
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`
    return this
  }

  events(): Array<Record<string, string>> {
    return this.received.flatMap((w) => w.body.events)
  }

  async stop(): Promise<void> {
    const server = this.server
    if (server === null) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export async function disconnectAll(...sockets: PusherJs[]): Promise<void> {
  for (const socket of sockets) socket.disconnect()
  await sleep(0)
}

export { Pusher, PusherJs, WebSocket }

// ---- hand-signed HTTP requests (to send what the SDK refuses to) --------------------------------------

import { createHash, createHmac } from 'node:crypto'

export interface SignedFetchOptions {
  method?: string
  body?: string
  params?: Record<string, string>
  timestamp?: number
  secret?: string
  key?: string
  bodyMd5?: string
  tamper?: (query: URLSearchParams) => void
}

export async function signedFetch(
  emulator: RunningEmulator,
  path: string,
  opts: SignedFetchOptions = {},
): Promise<{ status: number; text: string }> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST')
  const fullPath = `/apps/${emulator.appId}${path}`
  const params: Record<string, string> = {
    auth_key: opts.key ?? emulator.key,
    auth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...(opts.params ?? {}),
  }
  if (opts.body !== undefined) params.body_md5 = opts.bodyMd5 ?? createHash('md5').update(opts.body).digest('hex')
  const toSign = [
    method,
    fullPath,
    Object.keys(params)
      .map((k) => [k.toLowerCase(), params[k]])
      .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&'),
  ].join('\n')
  const query = new URLSearchParams(params)
  query.set(
    'auth_signature',
    createHmac('sha256', opts.secret ?? emulator.secret)
      .update(toSign)
      .digest('hex'),
  )
  opts.tamper?.(query)
  const response = await fetch(`http://127.0.0.1:${emulator.port}${fullPath}?${query.toString()}`, {
    method,
    ...(opts.body === undefined ? {} : { body: opts.body, headers: { 'Content-Type': 'application/json' } }),
  })
  return { status: response.status, text: await response.text() }
}

/** A connected pusher-js client, remembered in `sockets` so the test can disconnect it afterwards. */
export async function openClient(
  emulator: RunningEmulator,
  sockets: PusherJs[],
  opts: ClientOptions = {},
): Promise<PusherJs> {
  const socket = client(emulator, opts)
  sockets.push(socket)
  await connected(socket)
  return socket
}
