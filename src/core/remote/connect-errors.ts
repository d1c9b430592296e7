import type { CertificateSeen } from '../../shared/engine-choice.ts'
import { CONTRACT_REVISION } from '../../shared/wire.ts'
import { UntrustedCertificateError } from './verified-tls.ts'

/**
 * Why a shared server could not be opened. `token`, `certificate` and `version` are refusals: trying
 * again would get the same answer until the operator acts. The others may pass by themselves.
 */
export type ConnectFailureKind = 'token' | 'certificate' | 'version' | 'refused' | 'not-headcount' | 'unreachable'

export class RemoteConnectError extends Error {
  override name = 'RemoteConnectError'
  readonly kind: ConnectFailureKind
  /** For `certificate`: what the server presented, for the operator to compare and trust. */
  readonly certificate: CertificateSeen | null

  constructor(kind: ConnectFailureKind, message: string, certificate: CertificateSeen | null = null) {
    super(message)
    this.kind = kind
    this.certificate = certificate
  }

  /** Whether trying again by itself could help. */
  get lasting(): boolean {
    return this.kind === 'token' || this.kind === 'certificate' || this.kind === 'version'
  }
}

/**
 * A server whose API socket speaks another contract revision (or says none: a Headcount from before the
 * revision was sent), or null when it speaks this console's.
 */
export function contractMismatch(said: string | string[] | undefined, shown: string): RemoteConnectError | null {
  const text = Array.isArray(said) ? said[0] : said
  const revision = text === undefined ? null : Number(text)
  if (revision === CONTRACT_REVISION) return null
  const theirs =
    revision === null || !Number.isSafeInteger(revision)
      ? 'an older version of Headcount'
      : `a Headcount whose contract is revision ${revision}`
  const update = revision !== null && revision > CONTRACT_REVISION ? 'this console' : 'the server'
  return new RemoteConnectError(
    'version',
    `The shared server at ${shown} runs ${theirs}; this console speaks revision ${CONTRACT_REVISION}. Update ${update} so both run the same version`,
  )
}

export const TOKEN_REFUSED = 'The server refused the access token'

/** An HTTP answer where the API socket should have been: a refusal in the server's words, or not Headcount. */
export function refusalFromStatus(status: number, body: string, shown: string): RemoteConnectError {
  const said = body.trim().split('\n')[0]?.slice(0, 300) ?? ''
  if (status === 401) {
    const missing = said.startsWith('This Headcount server needs an access token')
    return new RemoteConnectError(
      'token',
      missing
        ? 'The server asks for an access token: give the one headcount serve printed (after ?token=)'
        : `${TOKEN_REFUSED}: check it with whoever runs the server (it changes if the server is restarted without --token)`,
    )
  }
  if (status === 404)
    return new RemoteConnectError('not-headcount', `No Headcount server answers at ${shown} (HTTP 404)`)
  if (status === 403 || status === 421)
    return new RemoteConnectError(
      'refused',
      `The server at ${shown} refused the connection (HTTP ${status})${said ? `: ${said}` : ''}`,
    )
  return new RemoteConnectError(
    'not-headcount',
    `The server at ${shown} answered HTTP ${status} where Headcount's API should be; is it a Headcount server?`,
  )
}

/** A socket-level failure, in words an operator can act on. */
export function refusalFromError(error: unknown, shown: string): RemoteConnectError {
  if (error instanceof RemoteConnectError) return error
  if (error instanceof UntrustedCertificateError)
    return new RemoteConnectError('certificate', error.message, error.certificate)
  const code = (error as NodeJS.ErrnoException).code ?? ''
  const message = (error as Error).message ?? String(error)
  switch (code) {
    case 'ECONNREFUSED':
      return new RemoteConnectError(
        'unreachable',
        `Nothing answers at ${shown} (connection refused): is headcount serve running there, on that port?`,
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RemoteConnectError('unreachable', `The host name of ${shown} cannot be found (${code})`)
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return new RemoteConnectError(
        'unreachable',
        `${shown} cannot be reached (${code}): check the address and the network`,
      )
    case 'ECONNRESET':
      return new RemoteConnectError('unreachable', `${shown} closed the connection before answering (ECONNRESET)`)
  }
  if (/wrong version number|packet length too long|unknown protocol|WRONG_VERSION/i.test(`${code} ${message}`)) {
    return new RemoteConnectError(
      'not-headcount',
      `The server at ${shown} does not answer over TLS: start it with --tls-cert and --tls-key (or check the port)`,
    )
  }
  if (/timed out|timeout/i.test(message))
    return new RemoteConnectError('unreachable', `${shown} did not answer in time: check the address and the network`)
  return new RemoteConnectError('unreachable', `Could not connect to ${shown}: ${message}`)
}
