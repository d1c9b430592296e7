/**
 * Results cross a transport as envelopes, never as thrown errors: Electron's IPC turns a thrown error
 * into a string, and a WebSocket has no notion of one. The client unwraps them into `ApiError`.
 */
export const API_ERROR_CODES = [
  /** The input failed the contract's schema. */
  'bad-request',
  /** No such method in the contract. */
  'unknown-method',
  /** The caller is not allowed (wrong sender frame, missing token). */
  'forbidden',
  /** The engine refused for a reason the operator can act on; `message` says which. */
  'failed',
  /** A bug: the engine threw unexpectedly or broke the contract. */
  'internal',
  /** The transport itself failed (socket closed, timeout). */
  'transport',
] as const
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

export interface ApiIssue {
  path: string
  message: string
}

export interface ApiErrorBody {
  code: ApiErrorCode
  message: string
  issues?: ApiIssue[]
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody }

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value }
}

export function fail(code: ApiErrorCode, message: string, issues?: ApiIssue[]): Envelope<never> {
  return { ok: false, error: issues?.length ? { code, message, issues } : { code, message } }
}

/** Thrown by the client when an envelope carries an error, and by handlers to refuse with a reason. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly code: ApiErrorCode
  readonly issues: ApiIssue[]

  constructor(code: ApiErrorCode, message: string, issues: ApiIssue[] = []) {
    super(message)
    this.code = code
    this.issues = issues
  }

  toBody(): ApiErrorBody {
    return this.issues.length
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message }
  }
}

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { ok?: unknown; error?: unknown }
  if (candidate.ok === true) return 'value' in candidate
  if (candidate.ok !== false || typeof candidate.error !== 'object' || candidate.error === null) return false
  const error = candidate.error as { code?: unknown; message?: unknown }
  return typeof error.message === 'string' && (API_ERROR_CODES as readonly unknown[]).includes(error.code)
}
