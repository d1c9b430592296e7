import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { keepIdleConnections } from '../http-keep-alive.ts'
import type Pusher from 'pusher'

export interface WebhookChannelEvent {
  name: string
  channel: string
  time_ms: number
}

export interface WebhookReceiverOptions {
  host: string
  port: number
  /**
   * True when the body is signed by the app (the `pusher` SDK's `webhook().isValid()`). Called only
   * for a request that carries a key and a signature, each a single string; if it throws, the request
   * is refused like a bad signature.
   */
  verify(headers: IncomingHttpHeaders, rawBody: string): boolean
  onEvents(events: WebhookChannelEvent[]): void
  onRejected?(reason: string): void
  /** Anything unexpected while handling a request or running the server: logged, never thrown. */
  onError?(error: unknown): void
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

/** A header that is present exactly once and not empty. */
function singleHeader(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name]
  return typeof value === 'string' && value.length > 0 ? value : null
}

/**
 * Whether a webhook is signed with the app's key and secret, by the `pusher` SDK's check. The SDK
 * throws (reading `undefined.length`) when the signature header is missing, so only single string
 * headers reach it, and anything it throws counts as "not signed".
 */
export function isSignedWebhook(sdk: Pick<Pusher, 'webhook'>, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const key = singleHeader(headers, 'x-pusher-key')
  const signature = singleHeader(headers, 'x-pusher-signature')
  const contentType = singleHeader(headers, 'content-type')
  if (key === null || signature === null || contentType === null) return false
  try {
    const webhook = sdk.webhook({
      headers: { 'x-pusher-key': key, 'x-pusher-signature': signature, 'content-type': contentType },
      rawBody,
    })
    return webhook.isValid() === true
  } catch {
    return false
  }
}

/** Why the receiver could not listen, in words that name the address. */
export function receiverStartProblem(error: unknown, host: string, port: number): string {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `${address} is already in use by another program (or another Headcount); free it or choose another webhook port`
    case 'EACCES':
      return `This user may not listen on ${address} (ports below 1024 need privileges); choose another webhook port`
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; choose another webhook address`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The webhook address ${host} does not resolve`
    default:
      return `The webhook receiver could not listen on ${address}: ${(error as Error | undefined)?.message ?? String(error)}`
  }
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
        // Whatever a request holds, nothing it causes may escape this handler: an exception here would
        // stop the whole process.
        try {
          this.handle(request.headers, chunks, tooLarge, limit, refuse, () =>
            response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok'),
          )
        } catch (error) {
          this.options.onError?.(error)
          if (!response.headersSent) refuse(500, 'The webhook could not be handled')
        }
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
    // A server without an error listener would throw on a later failure and stop the process.
    server.on('error', (error) => this.options.onError?.(error))
    this.server = server
    const address = server.address() as AddressInfo
    return `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`
  }

  private handle(
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    tooLarge: boolean,
    limit: number,
    refuse: (status: number, reason: string) => void,
    accept: () => void,
  ): void {
    if (tooLarge) return refuse(413, `Body over ${limit} bytes`)
    // The SDK's check throws on a missing or repeated signature header instead of answering false.
    if (singleHeader(headers, 'x-pusher-key') === null || singleHeader(headers, 'x-pusher-signature') === null) {
      return refuse(401, 'Missing webhook key or signature')
    }
    const rawBody = Buffer.concat(chunks).toString('utf8')
    let valid: boolean
    try {
      valid = this.options.verify(headers, rawBody) === true
    } catch (error) {
      this.options.onError?.(error)
      valid = false
    }
    if (!valid) return refuse(401, 'Invalid webhook signature, key or content type')
    accept()
    let body: WebhookBody
    try {
      body = JSON.parse(rawBody) as WebhookBody
    } catch {
      return // isValid() already parsed it; unreachable in practice
    }
    const events = channelEvents(body ?? {})
    if (events.length) this.options.onEvents(events)
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
