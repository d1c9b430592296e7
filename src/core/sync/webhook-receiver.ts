import { Buffer } from 'node:buffer'
import { createHmac, timingSafeEqual } from 'node:crypto'
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
  /**
   * True when the raw body is signed by the app (see `webhookVerifier`). Called only for a request
   * that carries a key and a signature, each a single string; if it throws, the request is refused like
   * a bad signature.
   */
  verify(headers: IncomingHttpHeaders, rawBody: Buffer): boolean
  /**
   * Takes a signed batch's channel events. Returning false refuses them for now (the queue of events
   * not yet applied is full): the request is answered 503 with Retry-After, and Pusher sends it again.
   * Anything else means they were queued, and only then is the request answered 200.
   */
  onEvents(events: WebhookChannelEvent[]): boolean | void
  onRejected?(reason: string): void
  /** Anything unexpected while handling a request or running the server: logged, never thrown. */
  onError?(error: unknown): void
  maxBodyBytes?: number
  /**
   * Bytes held at once for bodies not yet complete, across every request; a body that would pass it is
   * answered 503 (Pusher sends it again). Default WEBHOOK_MAX_PENDING_BYTES.
   */
  maxPendingBytes?: number
  /**
   * Milliseconds a request may take from its first byte to its last; a slower one is answered 408 and
   * closed. Default WEBHOOK_REQUEST_TIMEOUT_MS.
   */
  requestTimeoutMs?: number
  /** Seconds a refused (503) sender is asked to wait; default 1. */
  retryAfterSec?: number
}

/**
 * Pusher gives a webhook 4 seconds to be answered and sends its small body at once, so a request still
 * arriving after 10 is someone holding a connection open (slowloris) on a port that faces the internet.
 */
export const WEBHOOK_REQUEST_TIMEOUT_MS = 10_000

/**
 * Each request may hold a body of up to 1 MB until it is complete and its signature checked, so many
 * senders at once could make the process hold gigabytes. Pusher's batches are a few kilobytes.
 */
export const WEBHOOK_MAX_PENDING_BYTES = 32 * 1024 * 1024

interface WebhookBody {
  time_ms?: unknown
  events?: unknown
}

/**
 * Keeps only well-formed channel events; Pusher's batch carries `time_ms` once for the whole body. The
 * parsed objects are kept (given the batch's time where they have none of their own) rather than copied:
 * at 20,000 events a second a copy of each is garbage the collector must then pause for.
 */
function channelEvents(body: WebhookBody): WebhookChannelEvent[] {
  const time = typeof body.time_ms === 'number' ? body.time_ms : Date.now()
  if (!Array.isArray(body.events)) return []
  const events: WebhookChannelEvent[] = []
  for (const raw of body.events as unknown[]) {
    const event = raw as { name?: unknown; channel?: unknown; time_ms?: unknown } | null
    if (typeof event?.name !== 'string' || typeof event.channel !== 'string') continue
    if (typeof event.time_ms !== 'number') event.time_ms = time
    events.push(event as WebhookChannelEvent)
  }
  return events
}

/** A header that is present exactly once and not empty. */
function singleHeader(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name]
  return typeof value === 'string' && value.length > 0 ? value : null
}

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/

/**
 * Pusher's webhook check, as the `pusher` SDK's `webhook().isValid()` makes it: the key is the app's,
 * the content type is `application/json`, and `X-Pusher-Signature` is the HMAC-SHA256 (hex) of the raw
 * body with the app's secret. Made here on the bytes as they arrived: the SDK's check decodes the body to
 * a string and encodes it back for the HMAC, parses it (the receiver parses it again) and compares in
 * JavaScript, about 3× the CPU per webhook. Never throws; anything missing or repeated is "not signed".
 */
export function webhookVerifier(app: {
  key: string
  secret: string
}): (headers: IncomingHttpHeaders, rawBody: Buffer) => boolean {
  return (headers, rawBody) => {
    const key = singleHeader(headers, 'x-pusher-key')
    const signature = singleHeader(headers, 'x-pusher-signature')
    if (key !== app.key || signature === null || headers['content-type'] !== 'application/json') return false
    if (!HEX_SIGNATURE.test(signature)) return false
    const expected = createHmac('sha256', app.secret).update(rawBody).digest()
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
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
 * The local endpoint Pusher posts webhooks to. Checks the signature on the raw bytes, parses the body
 * once and hands the events on; answers 200 only once they are queued, 401 for a bad signature (which
 * changes nothing), and 503 with Retry-After when the queue of events not yet applied is full, so that
 * Pusher sends the batch again rather than Headcount accepting what it cannot apply.
 */
export class WebhookReceiver {
  private server: Server | null = null
  private readonly options: WebhookReceiverOptions

  constructor(options: WebhookReceiverOptions) {
    this.options = options
  }

  async start(): Promise<string> {
    const limit = this.options.maxBodyBytes ?? 1024 * 1024
    const retryAfter = String(this.options.retryAfterSec ?? 1)
    const maxPending = this.options.maxPendingBytes ?? WEBHOOK_MAX_PENDING_BYTES
    /** Bytes of bodies not yet complete, over every request in flight. */
    let pending = 0
    const requestTimeout = this.options.requestTimeoutMs ?? WEBHOOK_REQUEST_TIMEOUT_MS
    // Node checks its request deadline only this often (30 s by default).
    const connectionsCheckingInterval = Math.min(1000, requestTimeout)
    const server = createServer({ requestTimeout, connectionsCheckingInterval }, (request, response) => {
      const answer = (status: number, text: string, headers: Record<string, string> = {}) =>
        response.writeHead(status, { 'Content-Type': 'text/plain', ...headers }).end(text)
      const refuse = (status: number, reason: string) => {
        this.options.onRejected?.(reason)
        answer(status, reason)
      }
      if (request.method !== 'POST') {
        refuse(405, 'Webhooks are POST requests')
        return
      }
      // Too large is answered at once and the connection closed: reading the rest would let a sender
      // keep it busy for as long as it likes (a chunked body need never end).
      const refuseTooLarge = () => {
        this.options.onRejected?.(`Body over ${limit} bytes`)
        answer(413, `Body over ${limit} bytes`, { Connection: 'close' })
      }
      if (Number(request.headers['content-length']) > limit) {
        refuseTooLarge()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      /** Answered before the body's end (too large, too slow, too many at once): the rest is not read. */
      let refused = false
      const release = () => {
        pending -= size
        size = 0
      }
      // Node's own deadline covers a request until its headers are read; this one covers its body.
      const deadline = setTimeout(() => {
        refused = true
        chunks.length = 0
        release()
        this.options.onRejected?.('The webhook body arrived too slowly')
        if (!response.headersSent) answer(408, 'The webhook body arrived too slowly', { Connection: 'close' })
        else response.destroy()
      }, requestTimeout)
      request.once('close', () => {
        clearTimeout(deadline)
        release()
      })
      request.on('data', (chunk: Buffer) => {
        if (refused) return
        const tooLarge = size + chunk.length > limit
        if (tooLarge || pending + chunk.length > maxPending) {
          refused = true
          chunks.length = 0
          release()
          if (tooLarge) refuseTooLarge()
          else {
            this.options.onRejected?.('Too many webhook bodies are arriving at once')
            answer(503, 'Too many webhook bodies are arriving at once; send this batch again later', {
              'Retry-After': retryAfter,
              Connection: 'close',
            })
          }
          return
        }
        size += chunk.length
        pending += chunk.length
        chunks.push(chunk)
      })
      request.on('end', () => {
        clearTimeout(deadline)
        if (refused) return
        release()
        // Whatever a request holds, nothing it causes may escape this handler: an exception here would
        // stop the whole process.
        try {
          const outcome = this.handle(request.headers, chunks)
          if (outcome.status === 200) answer(200, 'ok')
          else if (outcome.status === 503) answer(503, outcome.reason, { 'Retry-After': retryAfter })
          else refuse(outcome.status, outcome.reason)
        } catch (error) {
          this.options.onError?.(error)
          // Not queued: Pusher sends it again.
          if (!response.headersSent) answer(500, 'The webhook could not be handled')
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
  ): { status: 200 } | { status: 400 | 401 | 503; reason: string } {
    if (singleHeader(headers, 'x-pusher-key') === null || singleHeader(headers, 'x-pusher-signature') === null) {
      return { status: 401, reason: 'Missing webhook key or signature' }
    }
    const rawBody = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
    let valid: boolean
    try {
      valid = this.options.verify(headers, rawBody) === true
    } catch (error) {
      this.options.onError?.(error)
      valid = false
    }
    if (!valid) return { status: 401, reason: 'Invalid webhook signature, key or content type' }
    let body: unknown
    try {
      body = JSON.parse(rawBody.toString('utf8'))
    } catch {
      return { status: 400, reason: 'The webhook body is not JSON' }
    }
    const events = channelEvents(body !== null && typeof body === 'object' ? (body as WebhookBody) : {})
    if (events.length === 0) return { status: 200 }
    if (this.options.onEvents(events) === false) {
      return { status: 503, reason: 'Too many webhook events are waiting to be applied; send this batch again later' }
    }
    return { status: 200 }
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
