import Pusher from 'pusher'
import { apiBaseUrl, type Credentials } from '../../shared/connection.ts'
import { ChannelsApiError, failureFromNetworkError, failureFromStatus } from './errors.ts'

export interface ChannelListResponse {
  /** The raw body, for the streaming ingest (never parsed here). */
  body: Uint8Array
  latencyMs: number
}

export interface ChannelsClientOptions {
  timeoutMs?: number
}

interface SdkRequestError {
  name?: string
  status?: number
  body?: string
  error?: unknown
}

/**
 * The Channels HTTP API as Headcount uses it, through the official `pusher` SDK (which signs every
 * request). Failures come out as `ChannelsApiError` with a classified `failure`.
 */
export class ChannelsClient {
  readonly endpoint: string
  private readonly sdk: Pusher
  private readonly timeoutMs: number

  constructor(credentials: Credentials, options: ChannelsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.endpoint = apiBaseUrl(credentials.target)
    const { target } = credentials
    this.sdk = new Pusher({
      appId: credentials.appId,
      key: credentials.key,
      secret: credentials.secret,
      timeout: this.timeoutMs,
      ...(target.kind === 'cluster'
        ? { cluster: target.cluster, useTLS: true }
        : { host: target.host, useTLS: target.useTLS, ...(target.port === null ? {} : { port: String(target.port) }) }),
    })
  }

  /** Occupied channels whose names start with `prefix`, as the raw response body. */
  async listChannels(prefix: string): Promise<ChannelListResponse> {
    const started = performance.now()
    let response: Awaited<ReturnType<Pusher['get']>>
    try {
      response = await this.sdk.get({ path: '/channels', params: prefix ? { filter_by_prefix: prefix } : {} })
    } catch (error) {
      throw this.toApiError(error)
    }
    let body: Uint8Array
    try {
      body = new Uint8Array(await response.arrayBuffer())
    } catch (error) {
      throw new ChannelsApiError(failureFromNetworkError(error, this.endpoint, this.timeoutMs))
    }
    return { body, latencyMs: performance.now() - started }
  }

  /** The SDK itself: the broadcaster triggers events through it. */
  get pusher(): Pusher {
    return this.sdk
  }

  private toApiError(error: unknown): ChannelsApiError {
    const sdkError = error as SdkRequestError
    if (typeof sdkError?.status === 'number') {
      return new ChannelsApiError(failureFromStatus(sdkError.status, sdkError.body, this.endpoint))
    }
    return new ChannelsApiError(failureFromNetworkError(sdkError?.error ?? error, this.endpoint, this.timeoutMs))
  }
}
