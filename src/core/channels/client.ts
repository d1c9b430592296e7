import Pusher from 'pusher'
import { apiBaseUrl, type Credentials } from '../../shared/connection.ts'
import {
  ChannelsApiError,
  failureFromNetworkError,
  failureFromStatus,
  truncatedFailure,
  unfinishedFailure,
} from './errors.ts'

export interface ChannelListResponse {
  /** The raw body, for the streaming ingest (never parsed here). */
  body: Uint8Array
  latencyMs: number
}

export interface ChannelsClientOptions {
  timeoutMs?: number
}

export interface RequestOptions {
  /** Aborting it gives the request up at once (disconnecting, switching off, shutting down). */
  signal?: AbortSignal
}

/** One event of a `POST /batch_events` request. */
export interface BatchEvent {
  channel: string
  name: string
  data: string
}

/** The caller gave the request up (its signal was aborted): not a failure of the server. */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError'
  constructor() {
    super('The request was given up')
  }
}

interface Answer {
  status: number
  body: Uint8Array
  latencyMs: number
}

/**
 * The Channels HTTP API as Headcount uses it. The official `pusher` SDK signs every request; the
 * request itself is made here, because the SDK's timeout ends once the headers arrive: a body cut short
 * or stalled would otherwise hang the caller for good. Each request has one deadline for the whole
 * exchange (connecting, headers and body), and the caller can abort it. Failures come out as
 * `ChannelsApiError` with a classified `failure`; a request the caller gave up, as `RequestAbortedError`.
 */
export class ChannelsClient {
  readonly endpoint: string
  private readonly sdk: Pusher
  private readonly timeoutMs: number
  private readonly appPath: string

  constructor(credentials: Credentials, options: ChannelsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.endpoint = apiBaseUrl(credentials.target)
    this.appPath = `/apps/${credentials.appId}`
    const { target } = credentials
    this.sdk = new Pusher({
      appId: credentials.appId,
      key: credentials.key,
      secret: credentials.secret,
      ...(target.kind === 'cluster'
        ? { cluster: target.cluster, useTLS: true }
        : { host: target.host, useTLS: target.useTLS, ...(target.port === null ? {} : { port: String(target.port) }) }),
    })
  }

  /** Occupied channels whose names start with `prefix`, as the raw response body. */
  async listChannels(prefix: string, options: RequestOptions = {}): Promise<ChannelListResponse> {
    const answer = await this.request('GET', '/channels', prefix ? { filter_by_prefix: prefix } : {}, null, options)
    return { body: answer.body, latencyMs: answer.latencyMs }
  }

  /** Any GET of the API (e.g. `/channels/{name}/users`), its body as text. */
  async get(path: string, options: RequestOptions = {}): Promise<string> {
    const answer = await this.request('GET', path, {}, null, options)
    return new TextDecoder().decode(answer.body)
  }

  /** `POST /batch_events`; resolves with the body of the server's answer. */
  async triggerBatch(batch: readonly BatchEvent[], options: RequestOptions = {}): Promise<string> {
    const answer = await this.request('POST', '/batch_events', {}, JSON.stringify({ batch }), options)
    return new TextDecoder().decode(answer.body)
  }

  /** The SDK, for what needs the secret without a request: channel authorisation, webhook signatures. */
  get pusher(): Pusher {
    return this.sdk
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    body: string | null,
    { signal }: RequestOptions,
  ): Promise<Answer> {
    if (signal?.aborted) throw new RequestAbortedError()
    const started = performance.now()
    const fullPath = `${this.appPath}${path}`
    const query = this.sdk.createSignedQueryString({
      method,
      path: fullPath,
      params,
      ...(body === null ? {} : { body }),
    })
    const deadline = AbortSignal.timeout(this.timeoutMs)
    const combined = signal ? AbortSignal.any([deadline, signal]) : deadline
    let response: Response
    try {
      response = await fetch(`${this.endpoint}${fullPath}?${query}`, {
        method,
        signal: combined,
        ...(body === null ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
      })
    } catch (error) {
      if (signal?.aborted) throw new RequestAbortedError()
      if (deadline.aborted)
        throw new ChannelsApiError(failureFromNetworkError(deadline.reason, this.endpoint, this.timeoutMs))
      throw new ChannelsApiError(
        failureFromNetworkError((error as Error).cause ?? error, this.endpoint, this.timeoutMs),
      )
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    const expected = Number.isSafeInteger(declared) && declared >= 0 ? declared : null
    const chunks: Uint8Array[] = []
    let received = 0
    try {
      const reader = response.body?.getReader()
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
        chunks.push(read.value)
        received += read.value.byteLength
      }
    } catch {
      if (signal?.aborted) throw new RequestAbortedError()
      if (deadline.aborted)
        throw new ChannelsApiError(unfinishedFailure(this.endpoint, this.timeoutMs, received, expected))
      throw new ChannelsApiError(truncatedFailure(this.endpoint, received, expected))
    }
    if (expected !== null && received < expected)
      throw new ChannelsApiError(truncatedFailure(this.endpoint, received, expected))
    const whole = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks)
    if (response.status >= 400) {
      const text = new TextDecoder().decode(whole)
      throw new ChannelsApiError(failureFromStatus(response.status, text, this.endpoint))
    }
    return { status: response.status, body: whole, latencyMs: performance.now() - started }
  }
}
