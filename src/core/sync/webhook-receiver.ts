import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { keepIdleConnections } from '../http-keep-alive.ts'

export interface WebhookChannelEvent {
  name: string
  channel: string
  time_ms: number
}

export interface WebhookReceiverOptions {
  host: string
  port: number
  /** True when the body is signed by the app (the `pusher` SDK's `webhook().isValid()`). */
  verify(headers: IncomingHttpHeaders, rawBody: string): boolean
  onEvents(events: WebhookChannelEvent[]): void
  onRejected?(reason: string): void
  maxBodyBytes?: number
}

interface WebhookBody {
  time_ms?: unknown
  events?: unknown
}

/** Keeps only well-formed channel events; Pusher's batch carries `time_ms` once for the whole body. */
function channelEvents(body: WebhookBody): WebhookChannelEvent[] {
  const time = typeof body.time_ms === 'number' ? body.time_ms : Date.now()
  if (!Array.isArray(body.events)) return []
  const events: WebhookChannelEvent[] = []
  for (const raw of body.events as unknown[]) {
    const event = raw as { name?: unknown; channel?: unknown; time_ms?: unknown }
    if (typeof event?.name !== 'string' || typeof event.channel !== 'string') continue
    events.push({
      name: event.name,
      channel: event.channel,
      time_ms: typeof event.time_ms === 'number' ? event.time_ms : time,
    })
  }
  return events
}

/**
 * The local endpoint Pusher posts webhooks to. Answers at once (2xx for a valid batch, 401 for a bad
 * signature, which changes nothing) and hands valid events on; applying them is the sync loop's job.
 */
export class WebhookReceiver {
  private server: Server | null = null
  private readonly options: WebhookReceiverOptions

  constructor(options: WebhookReceiverOptions) {
    this.options = options
  }

  async start(): Promise<string> {
    const limit = this.options.maxBodyBytes ?? 1024 * 1024
    const server = createServer((request, response) => {
      const refuse = (status: number, reason: string) => {
        this.options.onRejected?.(reason)
        response.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason)
      }
      if (request.method !== 'POST') {
        refuse(405, 'Webhooks are POST requests')
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      let tooLarge = false
      request.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > limit) tooLarge = true
        else chunks.push(chunk)
      })
      request.on('end', () => {
        if (tooLarge) return refuse(413, `Body over ${limit} bytes`)
        const rawBody = Buffer.concat(chunks).toString('utf8')
        if (!this.options.verify(request.headers, rawBody)) {
          return refuse(401, 'Invalid webhook signature, key or content type')
        }
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok')
        let body: WebhookBody
        try {
          body = JSON.parse(rawBody) as WebhookBody
        } catch {
          return // isValid() already parsed it; unreachable in practice
        }
        const events = channelEvents(body)
        if (events.length) this.options.onEvents(events)
      })
      request.on('error', () => response.destroy())
    })
    keepIdleConnections(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const address = server.address() as AddressInfo
    return `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`
  }

  get port(): number | null {
    const address = this.server?.address()
    return address && typeof address === 'object' ? address.port : null
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = null
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
