import { Buffer } from 'node:buffer'
import Pusher from 'pusher'
import { type Dispatcher, Pool } from 'undici'
import { apiBaseUrl, type Credentials } from '../../shared/connection.ts'
import {
  ChannelsApiError,
  failureFromNetworkError,
  failureFromStatus,
  type Failure,
  truncatedFailure,
  unfinishedFailure,
} from './errors.ts'

export interface ChannelListResponse {
  /** The raw body, for the streaming ingest (never parsed here). */
  body: Uint8Array
  latencyMs: number
}

/** The answer to a streamed `GET /channels`, its body handed to a BodySink as it came. */
export interface StreamedResponse {
  /** Bytes of the body. */
  bytes: number
  /** How long the server took: the whole exchange, less the time the body waited for its reader. */
  latencyMs: number
}

/**
 * Takes the body of a successful answer a chunk at a time, as it downloads. The request settles only
 * after `end` or `fail`, and a failure of the request always reaches `fail` (before the body began, too).
 */
export interface BodySink {
  /** A successful answer's body begins; `declaredBytes` is its Content-Length, if given. */
  start(flow: BodyFlow, declaredBytes: number | null): void
  /** The next chunk; false asks for no more until `flow.resume()`. */
  write(chunk: Uint8Array): boolean
  /** The whole body has come (as many bytes as declared). */
  end(): void
  /** The request failed or was given up; no more chunks come. */
  fail(error: unknown): void
}

/** How the reader of a streamed body steers the download. */
export interface BodyFlow {
  /** More chunks are welcome again (after write returned false). */
  resume(): void
  /** The reader gives up (its error becomes the request's): the connection is closed. */
  cancel(reason: Error): void
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
  /** Attributes to report for the channel in the answer, e.g. `subscription_count`. */
  info?: string
}

/** The caller gave the request up (its signal was aborted): not a failure of the server. */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError'
  constructor() {
    super('The request was given up')
  }
}

const JSON_CONTENT = { 'content-type': 'application/json' }
const EMPTY_BODY = Buffer.alloc(0)
/** Declared body lengths up to this are given one buffer up front; beyond it (a server's mistake?) chunks are kept. */
const PREALLOCATED_BODY_LIMIT = 256 * 1024 * 1024

interface Answer {
  status: number
  /** Empty when a sink took the body. */
  body: Buffer
  bytes: number
  latencyMs: number
}

/**
 * The Channels HTTP API as Headcount uses it. The official `pusher` SDK signs every request; the
 * request itself is made here, because the SDK's timeout ends once the headers arrive: a body cut
 * short or stalled would otherwise hang the caller for good. Requests go through undici's dispatcher
 * (Node's own HTTP client library) on a keep-alive pool: the broadcaster sends a thousand a second,
 * and undici costs about 0.7× the CPU per request of node:http and a third of fetch's. Each request
 * has one deadline for the whole exchange (connecting, headers and body), and the caller can abort
 * it. Failures come out as `ChannelsApiError` with a classified `failure`; a request the caller gave
 * up, as `RequestAbortedError`.
 */
export class ChannelsClient {
  readonly endpoint: string
  private readonly sdk: Pusher
  private readonly timeoutMs: number
  private readonly appPath: string
  /** Keep-alive connections to the API, reused by every request (idle ones don't keep the process alive). */
  private readonly pool: Pool

  constructor(credentials: Credentials, options: ChannelsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.endpoint = apiBaseUrl(credentials.target)
    this.appPath = `/apps/${credentials.appId}`
    const { target } = credentials
    this.pool = new Pool(this.endpoint, { connect: { timeout: this.timeoutMs } })
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

  /**
   * Occupied channels whose names start with `prefix`, the body handed to `sink` as it downloads, so a
   * huge list never has to be whole in memory. The one deadline covers the exchange, except while the
   * sink has asked for no more (the server is not slow then, the reader is).
   */
  async streamChannels(prefix: string, sink: BodySink, options: RequestOptions = {}): Promise<StreamedResponse> {
    const answer = await this.request(
      'GET',
      '/channels',
      prefix ? { filter_by_prefix: prefix } : {},
      null,
      options,
      sink,
    )
    return { bytes: answer.bytes, latencyMs: answer.latencyMs }
  }

  /** Any GET of the API (e.g. `/channels/{name}/users`), its body as text. */
  async get(path: string, options: RequestOptions = {}): Promise<string> {
    const answer = await this.request('GET', path, {}, null, options)
    return answer.body.toString('utf8')
  }

  /** `POST /batch_events`; resolves with the body of the server's answer. */
  async triggerBatch(batch: readonly BatchEvent[], options: RequestOptions = {}): Promise<string> {
    const answer = await this.request('POST', '/batch_events', {}, JSON.stringify({ batch }), options)
    return answer.body.toString('utf8')
  }

  /** The SDK, for what needs the secret without a request (the broadcaster's marker authorises its channel). */
  get pusher(): Pusher {
    return this.sdk
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    body: string | null,
    { signal }: RequestOptions,
    sink: BodySink | null = null,
  ): Promise<Answer> {
    if (signal?.aborted) {
      const error = new RequestAbortedError()
      sink?.fail(error)
      return Promise.reject(error)
    }
    const started = performance.now()
    const fullPath = `${this.appPath}${path}`
    const query = this.sdk.createSignedQueryString({
      method,
      path: fullPath,
      params,
      ...(body === null ? {} : { body }),
    })
    const { endpoint, timeoutMs } = this
    return new Promise<Answer>((resolve, reject) => {
      let status = 0
      let expected: number | null = null
      let received = 0
      let headersArrived = false
      let settled = false
      let controller: Dispatcher.DispatchController | null = null
      const chunks: Buffer[] = []
      // With a declared length, the body is copied into one buffer as it arrives: a list of a million
      // channels is then held once, not as chunks and again as their concatenation.
      let whole: Buffer | null = null
      // The body goes to the sink as it comes (a successful answer only: an error's body is read here).
      let streaming = false
      const finish = (outcome: Answer | Error): void => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        signal?.removeEventListener('abort', abort)
        if (outcome instanceof Error) {
          // Gives the exchange up: undici closes the connection, so nothing of it is read later.
          controller?.abort(outcome)
          sink?.fail(outcome)
          reject(outcome)
        } else {
          if (streaming) sink?.end()
          resolve(outcome)
        }
      }
      const fail = (failure: Failure) => finish(new ChannelsApiError(failure))
      // One deadline for the whole exchange: connecting, the headers and every byte of the body. It
      // stands still while a sink has asked for no more: then the reader is behind, not the server.
      const timedOut = () =>
        fail(
          headersArrived
            ? unfinishedFailure(endpoint, timeoutMs, received, expected)
            : failureFromNetworkError({ name: 'TimeoutError' }, endpoint, timeoutMs),
        )
      let deadline = setTimeout(timedOut, timeoutMs)
      let remainingMs = timeoutMs
      let runningSince = started
      let heldMs = 0
      let heldSince: number | null = null
      const flow: BodyFlow = {
        resume() {
          if (settled || heldSince === null) return
          const now = performance.now()
          heldMs += now - heldSince
          heldSince = null
          runningSince = now
          deadline = setTimeout(timedOut, remainingMs)
          controller?.resume()
        },
        cancel(reason) {
          finish(reason)
        },
      }
      const hold = (): void => {
        if (heldSince !== null) return
        const now = performance.now()
        heldSince = now
        clearTimeout(deadline)
        remainingMs -= now - runningSince
        controller?.pause()
      }
      const abort = () => finish(new RequestAbortedError())
      signal?.addEventListener('abort', abort, { once: true })

      this.pool.dispatch(
        {
          path: `${fullPath}?${query}`,
          method,
          headers: body === null ? undefined : JSON_CONTENT,
          body,
          // The deadline above covers both; undici's own timers would only duplicate it.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        {
          onRequestStart(dispatch) {
            controller = dispatch
            // Given up before the request had a connection.
            if (settled) dispatch.abort(new RequestAbortedError())
          },
          onResponseStart(_dispatch, statusCode, headers) {
            status = statusCode
            headersArrived = true
            const declared = Number(headers['content-length'] ?? Number.NaN)
            expected = Number.isSafeInteger(declared) && declared >= 0 ? declared : null
            if (sink !== null && statusCode < 300) {
              streaming = true
              sink.start(flow, expected)
            } else if (expected !== null && expected > 0 && expected <= PREALLOCATED_BODY_LIMIT)
              whole = Buffer.allocUnsafe(expected)
          },
          onResponseData(_dispatch, chunk) {
            if (settled) return
            if (streaming) {
              received += chunk.length
              // Never held on the last declared byte: the answer is complete, and a server may close an
              // idle connection before a held parser would have seen the end of the message.
              if (!(sink as BodySink).write(chunk) && !settled && received !== expected) hold()
              return
            }
            if (whole !== null && received + chunk.length <= whole.length) chunk.copy(whole, received)
            else {
              // More than declared: kept as chunks from here on.
              if (whole !== null) chunks.push(whole.subarray(0, received))
              whole = null
              chunks.push(chunk)
            }
            received += chunk.length
          },
          onResponseEnd() {
            if (expected !== null && received < expected) return fail(truncatedFailure(endpoint, received, expected))
            const latencyMs = performance.now() - started - heldMs
            if (streaming) return finish({ status, body: EMPTY_BODY, bytes: received, latencyMs })
            const body =
              whole !== null
                ? whole.subarray(0, received)
                : chunks.length === 1
                  ? (chunks[0] as Buffer)
                  : Buffer.concat(chunks)
            if (status >= 300) return fail(failureFromStatus(status, body.toString('utf8'), endpoint))
            finish({ status, body, bytes: received, latencyMs })
          },
          onResponseError(_dispatch, error) {
            // The connection closed (or was reset) before the body was complete, or never answered.
            fail(
              headersArrived
                ? truncatedFailure(endpoint, received, expected)
                : failureFromNetworkError(error, endpoint, timeoutMs),
            )
          },
        },
      )
    })
  }
}
