import { ChannelListFormatError, ServerErrorInBody } from '../presence/errors.ts'

/**
 * Every way a request to the Channels HTTP API can fail, in words an operator understands, with what
 * to do about it. The sync loop backs off on `retryable` failures and shows `message` and `hint`.
 */
export const FAILURE_KINDS = [
  'auth',
  'app-not-found',
  'over-quota',
  'rate-limited',
  'server-error',
  'bad-request',
  'too-large',
  'network',
  'tls',
  'timeout',
  'truncated',
  'malformed',
  'not-channels-api',
] as const
export type FailureKind = (typeof FAILURE_KINDS)[number]

export interface Failure {
  kind: FailureKind
  message: string
  hint: string
  status: number | null
  retryable: boolean
}

export class ChannelsApiError extends Error {
  override name = 'ChannelsApiError'
  readonly failure: Failure
  constructor(failure: Failure) {
    super(failure.message)
    this.failure = failure
  }
}

function excerpt(body: string | undefined): string {
  const text = (body ?? '').replace(/\s+/g, ' ').trim()
  return text.length > 160 ? `${text.slice(0, 157)}…` : text
}

function looksLikeHtml(body: string | undefined): boolean {
  return /^\s*<(!doctype|html|head|body)/i.test(body ?? '')
}

/** Classifies an HTTP status and body (also used for errors a server reports inside an HTTP 200). */
export function failureFromStatus(status: number, body: string | undefined, endpoint: string): Failure {
  const said = excerpt(body)
  const serverSaid = said ? ` (the server said: ${said})` : ''
  if (looksLikeHtml(body) && (status === 404 || status === 200 || status === 405)) {
    return {
      kind: 'not-channels-api',
      message: `${endpoint} answered with a web page, not the Channels API`,
      hint: 'Check the host and port: they must point at a Pusher Channels API (or compatible server)',
      status,
      retryable: false,
    }
  }
  if (status === 401) {
    // Pusher's own wording; "Invalid signature" bodies also mention auth_timestamp, so match the phrase.
    const clock = /timestamp expired|not within \d+ ?s of server time/i.test(said)
    // A refused signature comes with the string that was signed (`GET\n/apps/1/channels\nauth_key=…`):
    // of no use to an operator, so only what was refused is said.
    const signature = /signature|HmacSHA256/i.test(said)
    return {
      kind: 'auth',
      message: clock
        ? `The server refused the request's timestamp${serverSaid}`
        : signature
          ? 'Wrong key or secret: the server refused the signature'
          : `Wrong key or secret: the server refused the request${serverSaid}`,
      hint: clock
        ? "Set this computer's clock right: Pusher accepts requests at most 10 minutes off"
        : 'Copy the key and secret again from the App Keys page of the dashboard',
      status,
      retryable: false,
    }
  }
  if (status === 403) {
    return {
      kind: 'over-quota',
      message: `The app is disabled or over its message quota${serverSaid}`,
      hint: 'Check the app in the Pusher dashboard: enable it or raise its plan',
      status,
      retryable: true,
    }
  }
  if (status === 404) {
    return {
      kind: 'app-not-found',
      message: `App not found on ${endpoint}${serverSaid}`,
      hint: 'Check the app id and the cluster (or host): the app must live there',
      status,
      retryable: false,
    }
  }
  if (status === 413) {
    return {
      kind: 'too-large',
      message: `The server refused the request as too large${serverSaid}`,
      hint: 'Send less data per request',
      status,
      retryable: false,
    }
  }
  if (status === 429) {
    return {
      kind: 'rate-limited',
      message: `Rate limited by the server${serverSaid}`,
      hint: 'Headcount backs off and retries; a longer poll interval avoids this',
      status,
      retryable: true,
    }
  }
  if (status >= 500) {
    return {
      kind: 'server-error',
      message: `The server failed with HTTP ${status}${serverSaid}`,
      hint: 'Usually passes: Headcount retries with backoff. If it persists, check Pusher’s status page',
      status,
      retryable: true,
    }
  }
  if (status >= 300 && status < 400) {
    return {
      kind: 'not-channels-api',
      message: `${endpoint} redirected the request elsewhere (HTTP ${status}): the Channels API answers directly`,
      hint: 'Check the host, port and TLS setting: they must point at the API itself, not at a page that forwards to it',
      status,
      retryable: false,
    }
  }
  return {
    kind: 'bad-request',
    message: `The server refused the request with HTTP ${status}${serverSaid}`,
    hint: 'Check the naming convention’s prefix and the connection settings',
    status,
    retryable: false,
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
])

/** Classifies a request that got no HTTP answer at all (the error fetch rejected with). */
export function failureFromNetworkError(error: unknown, endpoint: string, timeoutMs: number): Failure {
  const cause = error as { name?: string; type?: string; code?: string; errno?: string; message?: string } | undefined
  const code = cause?.code ?? cause?.errno ?? ''
  if (
    cause?.name === 'AbortError' ||
    cause?.name === 'TimeoutError' ||
    cause?.type === 'aborted' ||
    code === 'ETIMEDOUT'
  ) {
    return {
      kind: 'timeout',
      message: `No answer from ${endpoint} within ${duration(timeoutMs)}`,
      hint: 'The server or the network is slow or unreachable; Headcount retries with backoff',
      status: null,
      retryable: true,
    }
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(cause?.message ?? '')) {
    return {
      kind: 'tls',
      message: `The secure connection to ${endpoint} failed (${code || cause?.message})`,
      hint: 'Check whether the server speaks TLS (https) on that port and has a valid certificate',
      status: null,
      retryable: false,
    }
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'nothing is listening there',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved right now',
    ECONNRESET: 'the connection was reset',
    UND_ERR_SOCKET: 'the server closed the connection without answering',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
  }
  return {
    kind: 'network',
    message: `Cannot reach ${endpoint}: ${reasons[code] ?? (cause?.message || 'network error')}`,
    hint: 'Check the network, the host and the port; Headcount retries with backoff',
    status: null,
    retryable: true,
  }
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`
}

function bytesOf(received: number, expected: number | null): string {
  return expected === null
    ? `${received.toLocaleString('en-US')} bytes`
    : `${received.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} bytes`
}

/** The answer began but its body ended early: the connection closed (or was reset) mid-answer. */
export function truncatedFailure(endpoint: string, received: number, expected: number | null): Failure {
  return {
    kind: 'truncated',
    message: `The answer from ${endpoint} was cut short: ${bytesOf(received, expected)} arrived, then the connection closed`,
    hint: 'Something between Headcount and the server (a proxy, a load balancer, the network) dropped the connection mid-answer; Headcount retries with backoff',
    status: null,
    retryable: true,
  }
}

/** The answer began but did not finish before the request's deadline (a stalled or dripping body). */
export function unfinishedFailure(
  endpoint: string,
  timeoutMs: number,
  received: number,
  expected: number | null,
): Failure {
  return {
    kind: 'timeout',
    message: `The answer from ${endpoint} did not finish within ${duration(timeoutMs)}: ${bytesOf(received, expected)} arrived`,
    hint: 'The server or the network is stalling; Headcount gives the request up and retries with backoff',
    status: null,
    retryable: true,
  }
}

/**
 * What reading a channel list that arrived failed with: a web page where the list should be (a login
 * page, a proxy's error) is the not-channels-api failure, anything else is left as it is. The sync,
 * a connection test and the CLI's snapshot all read the list through this, so they agree.
 */
export function unreadableListError(error: unknown, body: Uint8Array, endpoint: string): unknown {
  if (!(error instanceof ChannelListFormatError)) return error
  const head = new TextDecoder().decode(body.subarray(0, 64))
  return looksLikeHtml(head) ? new ChannelsApiError(failureFromStatus(200, head, endpoint)) : error
}

/** Turns anything a sync attempt can throw into a failure an operator can read. */
export function toFailure(error: unknown, endpoint: string): Failure {
  if (error instanceof ChannelsApiError) return error.failure
  if (error instanceof ServerErrorInBody) {
    const failure = failureFromStatus(error.code ?? 500, error.error, endpoint)
    return { ...failure, message: `${failure.message} (reported inside an HTTP 200 answer)` }
  }
  if (error instanceof ChannelListFormatError) {
    return {
      kind: 'malformed',
      message: `The channel list from ${endpoint} is malformed: ${error.message}`,
      hint: 'The server is not behaving like the Channels API; check the host, or report it to its operator',
      status: 200,
      retryable: true,
    }
  }
  return {
    kind: 'server-error',
    message: `Sync failed unexpectedly: ${(error as Error)?.message ?? String(error)}`,
    hint: 'Headcount retries with backoff; if it persists, please report it',
    status: null,
    retryable: true,
  }
}

/**
 * A failure's hint for a command that tries once (`headcount snapshot`): where the hints say the
 * engine retries by itself, such a command doesn't, so the operator is told to try again.
 */
export function oneTryHint(hint: string): string {
  return hint
    .replace('Headcount backs off and retries; a longer poll interval avoids this', 'Wait a moment and try again')
    .replace('Headcount retries with backoff;', 'Try again;')
    .replace('Headcount retries with backoff.', 'try again.')
    .replace(/Headcount (?:gives the request up and )?retries with backoff/, 'try again')
}
