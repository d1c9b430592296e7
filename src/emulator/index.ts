// The embedded Pusher Channels emulator: one app, Pusher's HTTP API and WebSocket protocol 7 on one
// port, webhooks, injected members for very large crowds, and delivery accounting.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DeliveryTotals } from './accounting.ts'
import { createHttpApi } from './http-api.ts'
import { type EmulatorOptions, resolveOptions } from './options.ts'
import { AppState } from './state.ts'
import { type WebhookEvent, WebhookBatcher } from './webhook-batcher.ts'
import { WebhookSender, type WebhookSenderStats } from './webhook-sender.ts'
import { WsServer } from './ws-server.ts'

/**
 * Idle HTTP connections stay open this long, as on Pusher-scale servers. Node's default, 5 s, gave
 * clients whose pools hold a connection longer "socket hang up" and EPIPE; headers get 1 s more, so a
 * request that starts at the end of the idle window is still read.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000

/** Opaque handle of an injected member. */
export type InjectedHandle = number

export interface InjectedMember {
  userId?: string
  userInfo?: unknown
}

export interface EmulatorStats {
  /** Messages delivered to subscribers (sockets and injected members), by kind. */
  deliveries: DeliveryTotals
  /** Events accepted for publishing: HTTP events counted once per channel, plus client events. */
  published: number
  connections: number
  channels: { occupied: number; tracked: number }
  injectedMembers: number
  topChannels: Array<{ channel: string; delivered: number }>
  /** Deliveries so far to each channel asked for (`stats(top, channels)`, `?channel=NAME`), exact; absent when none asked. */
  channelDeliveries?: Record<string, number>
  webhooks: WebhookSenderStats & { batches: number; events: number }
}

export interface RunningEmulator {
  /** 'http://KEY:SECRET@HOST:PORT/apps/APP_ID': what --url and PUSHER_URL take (forURL's form; forURL itself parseInts the id). */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly appId: string
  readonly key: string
  readonly secret: string
  /** Adds a member with no socket; returns a handle to remove it. For presence channels pass userId (+ optional userInfo). */
  inject(channel: string, member?: InjectedMember): InjectedHandle
  removeInjected(handle: InjectedHandle): void
  /** Bulk versions for 100k–1M members. */
  injectMany(entries: Iterable<{ channel: string; userId?: string; userInfo?: unknown }>): InjectedHandle[]
  removeInjectedMany(handles: Iterable<InjectedHandle>): void
  /** `channels`: also report each of these channels' deliveries so far (`channelDeliveries`). */
  stats(top?: number, channels?: readonly string[]): EmulatorStats
  /** Deliveries so far to one channel (every kind, sockets and injected members), exact. */
  deliveredTo(channel: string): number
  resetStats(): void
  close(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options)
  const webhookCounters = { batches: 0, events: 0 }
  let sender: WebhookSender | null = null
  let batcher: WebhookBatcher | null = null
  if (resolved.webhooks.length > 0) {
    const activeSender = new WebhookSender({
      urls: resolved.webhooks,
      key: resolved.key,
      secret: resolved.secret,
      maxAttempts: resolved.webhookMaxAttempts,
      retryBaseMs: resolved.webhookRetryBaseMs,
      retryMaxMs: resolved.webhookRetryMaxMs,
      timeoutMs: resolved.webhookTimeoutMs,
      concurrency: 4,
      maxQueued: 10_000,
      logger: resolved.logger,
    })
    sender = activeSender
    batcher = new WebhookBatcher(resolved.webhookBatchMs, resolved.webhookBatchSize, (batch) => {
      webhookCounters.batches++
      webhookCounters.events += batch.events.length
      activeSender.send(JSON.stringify(batch))
    })
  }
  const activeBatcher = batcher
  const webhook = activeBatcher === null ? null : (event: WebhookEvent) => activeBatcher.add(event)

  const state = new AppState({
    presenceLimit: resolved.presenceLimit,
    vacateDelayMs: resolved.vacateDelayMs,
    cacheTtlMs: resolved.cacheTtlMs,
    webhookSink: webhook,
  })
  const ws = new WsServer({ options: resolved, state, webhook })

  const deliveredTo = (channel: string): number => state.accounting.deliveredTo(channel, state.channel(channel))
  const stats = (top = 20, channels: readonly string[] = []): EmulatorStats => {
    let occupied = 0
    for (const ch of state.channels.values()) if (ch.subscriptionCount > 0) occupied++
    const channelDeliveries =
      channels.length === 0 ? undefined : Object.fromEntries(channels.map((name) => [name, deliveredTo(name)]))
    return {
      deliveries: { ...state.accounting.totals },
      published: state.accounting.published,
      connections: ws.connections.size,
      channels: { occupied, tracked: state.channels.size },
      injectedMembers: state.injectedCount,
      topChannels: state.accounting.top(state.channels.values(), top),
      ...(channelDeliveries === undefined ? {} : { channelDeliveries }),
      webhooks: {
        ...(sender?.stats ?? { delivered: 0, failedAttempts: 0, abandoned: 0, dropped: 0, queued: 0, inFlight: 0 }),
        ...webhookCounters,
      },
    }
  }
  const resetStats = (): void => state.accounting.reset(state.channels.values())

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000 },
    createHttpApi({
      options: resolved,
      state,
      terminateUser: (userId) => {
        ws.terminateUser(userId)
        state.removeInjectedUser(userId)
      },
      stats,
      resetStats,
    }),
  )
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    ws.handleUpgrade(req, socket, head)
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const hostForUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host
  const url = `http://${encodeURIComponent(resolved.key)}:${encodeURIComponent(resolved.secret)}@${hostForUrl}:${port}/apps/${encodeURIComponent(resolved.appId)}`
  resolved.logger.info(`Pusher Channels emulator listening on ${hostForUrl}:${port}`)

  let closing: Promise<void> | null = null
  const injectOne = (channel: string, userId: string | undefined, userInfo: unknown): InjectedHandle =>
    state.inject(channel, userId, userInfo)

  return {
    url,
    host: resolved.host,
    port,
    appId: resolved.appId,
    key: resolved.key,
    secret: resolved.secret,
    inject: (channel, member) => injectOne(channel, member?.userId, member?.userInfo),
    removeInjected: (handle) => {
      state.removeInjected(handle)
    },
    injectMany: (entries) => {
      const handles: InjectedHandle[] = []
      for (const entry of entries) handles.push(injectOne(entry.channel, entry.userId, entry.userInfo))
      return handles
    },
    removeInjectedMany: (handles) => {
      for (const handle of handles) state.removeInjected(handle)
    },
    stats,
    deliveredTo,
    resetStats,
    close: () => {
      closing ??= (async () => {
        batcher?.close()
        sender?.close()
        state.close()
        await ws.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      })()
      return closing
    },
  }
}
