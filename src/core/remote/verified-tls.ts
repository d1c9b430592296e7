import type { Duplex } from 'node:stream'
import { isIP } from 'node:net'
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls'
import type { CertificateSeen } from '../../shared/engine-choice.ts'

/**
 * The server's certificate was not trusted: either this computer's CAs don't vouch for it (a
 * self-signed certificate, typically) and no fingerprint was pinned, or it is not the one pinned.
 */
export class UntrustedCertificateError extends Error {
  override name = 'UntrustedCertificateError'
  readonly certificate: CertificateSeen
  /** `untrusted`: never seen before; `changed`: not the certificate pinned for this server. */
  readonly kind: 'untrusted' | 'changed'

  constructor(kind: 'untrusted' | 'changed', certificate: CertificateSeen, message: string) {
    super(message)
    this.kind = kind
    this.certificate = certificate
  }
}

/** Node's verification codes an operator may meet, in words. */
const REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it was issued by a self-signed authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was issued by an authority this computer does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was issued by an authority this computer does not trust',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was made for another host name',
}

function nameOf(entry: DetailedPeerCertificate['subject'] | undefined): string {
  if (!entry) return ''
  const cn = entry.CN
  return (Array.isArray(cn) ? cn.join(', ') : cn) ?? Object.values(entry).flat().join(', ')
}

function describe(certificate: DetailedPeerCertificate, reasonCode: string | null): CertificateSeen {
  return {
    fingerprint: certificate.fingerprint256,
    subject: nameOf(certificate.subject),
    issuer: nameOf(certificate.issuer),
    validFrom: new Date(certificate.valid_from).toISOString(),
    validTo: new Date(certificate.valid_to).toISOString(),
    reason: reasonCode === null ? 'it is trusted' : (REASONS[reasonCode] ?? reasonCode),
  }
}

export interface VerifiedTlsOptions {
  /** The fingerprint the operator accepted for this server; null to rely on this computer's CAs alone. */
  pinnedFingerprint: string | null
  /** How long the TCP connection and TLS handshake may take. */
  timeoutMs: number
}

/** The connection options Node's HTTP client hands to `createConnection` (only these are used). */
interface ConnectRequest {
  host?: string | null
  hostname?: string | null
  port?: number | string | null
  /** The client's idle timeout (ws's handshake timeout): applied to the socket once handed over. */
  timeout?: number
}

type Created = (error: Error | null, socket?: Duplex) => void

/**
 * A `createConnection` for Node's HTTPS client (and so for `ws`): it completes the TLS handshake and
 * checks the certificate itself before handing the socket over, so not one byte of the request (whose
 * headers carry the access token) is written to a server that isn't trusted.
 *
 * Trusted means: the pinned fingerprint, when one is pinned (the certificate *is* the identity then, so
 * CAs and host names don't matter); otherwise Node's own verification against its CAs and the host name.
 * There is no "ignore errors" mode.
 */
export function verifiedTlsConnection(options: VerifiedTlsOptions) {
  return (request: ConnectRequest, created: Created): undefined => {
    const host = (request.hostname ?? request.host ?? 'localhost').replace(/^\[|\]$/g, '')
    const socket: TLSSocket = connect({
      host,
      port: Number(request.port ?? 443),
      servername: isIP(host) ? undefined : host,
      // Verification is decided below, from what Node found; the socket is only handed over if it passes.
      rejectUnauthorized: false,
    })
    let settled = false
    const onTimeout = () => {
      const error = new Error(`No TLS handshake within ${options.timeoutMs / 1000} s`) as NodeJS.ErrnoException
      error.code = 'ETIMEDOUT'
      settle(error)
    }
    const settle = (error: Error | null) => {
      if (settled) return
      settled = true
      socket.off('timeout', onTimeout)
      if (error) {
        socket.destroy()
        created(error)
      } else {
        // From here the client's own timeout applies, as with the connections it makes itself.
        socket.setTimeout(request.timeout ?? 0)
        created(null, socket)
      }
    }
    socket.setTimeout(options.timeoutMs, onTimeout)
    // Stays attached (a no-op once settled), so an error in the moment between handing the socket over
    // and the HTTP client listening can't go unhandled.
    socket.on('error', settle)
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate(true)
      if (!certificate?.fingerprint256) return settle(new Error('The server presented no certificate'))
      const reasonCode = socket.authorized ? null : String(socket.authorizationError ?? 'unknown')
      const seen = describe(certificate, reasonCode)
      const pinned = options.pinnedFingerprint
      if (pinned !== null) {
        if (seen.fingerprint === pinned) return settle(null)
        return settle(
          new UntrustedCertificateError(
            'changed',
            seen,
            `The server's certificate is not the one trusted for it: it presents SHA-256 ${seen.fingerprint}, ` +
              `not ${pinned}. If the server's certificate was replaced, compare the new fingerprint with the one it ` +
              'printed and trust it again; otherwise something between you and the server may be intercepting the connection.',
          ),
        )
      }
      if (socket.authorized) return settle(null)
      settle(
        new UntrustedCertificateError(
          'untrusted',
          seen,
          `This computer does not trust the server's certificate (${seen.reason}). Its SHA-256 fingerprint is ` +
            `${seen.fingerprint}: compare it with the one headcount serve printed, and trust it only if they match.`,
        ),
      )
    })
    return undefined
  }
}
