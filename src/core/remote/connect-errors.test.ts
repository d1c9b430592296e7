import { describe, expect, it } from 'vitest'
import { refusalFromError, refusalFromStatus, TOKEN_REFUSED } from './connect-errors.ts'
import { UntrustedCertificateError } from './verified-tls.ts'

const SHOWN = 'wss://team.example:7480'
const errno = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('why a shared server could not be opened', () => {
  it('tells a refused token from a missing one, and both last until the operator acts', () => {
    const wrong = refusalFromStatus(401, 'The server refused the access token: it is not the one…', SHOWN)
    expect(wrong).toMatchObject({ kind: 'token', lasting: true })
    expect(wrong.message.startsWith(TOKEN_REFUSED)).toBe(true)
    expect(refusalFromStatus(401, 'This Headcount server needs an access token. Open…', SHOWN).message).toMatch(
      /^The server asks for an access token/,
    )
  })

  it('names what else answered where the API should be', () => {
    expect(refusalFromStatus(404, '', SHOWN)).toMatchObject({
      kind: 'not-headcount',
      message: `No Headcount server answers at ${SHOWN} (HTTP 404)`,
    })
    expect(refusalFromStatus(421, 'This server answers only to…\nmore', SHOWN).message).toBe(
      `The server at ${SHOWN} refused the connection (HTTP 421): This server answers only to…`,
    )
    expect(refusalFromStatus(502, '<html>', SHOWN).message).toMatch(/answered HTTP 502 where Headcount's API should be/)
  })

  it('puts network failures in words, none of them lasting', () => {
    expect(refusalFromError(errno('ECONNREFUSED'), SHOWN)).toMatchObject({ kind: 'unreachable', lasting: false })
    expect(refusalFromError(errno('ENOTFOUND'), SHOWN).message).toBe(
      `The host name of ${SHOWN} cannot be found (ENOTFOUND)`,
    )
    expect(refusalFromError(errno('EHOSTUNREACH'), SHOWN).message).toMatch(/cannot be reached \(EHOSTUNREACH\)/)
    expect(refusalFromError(errno('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), SHOWN).message).toMatch(
      /does not answer over TLS/,
    )
    expect(refusalFromError(new Error('Opening handshake has timed out'), SHOWN).message).toMatch(
      /did not answer in time/,
    )
  })

  it('keeps the certificate an untrusted server presented, for the operator to compare', () => {
    const seen = {
      fingerprint: 'AA:'.repeat(31) + 'AA',
      subject: 'team.example',
      issuer: 'team.example',
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
      reason: 'it is self-signed',
    }
    const refusal = refusalFromError(new UntrustedCertificateError('untrusted', seen, 'not trusted'), SHOWN)
    expect(refusal).toMatchObject({ kind: 'certificate', lasting: true, certificate: seen, message: 'not trusted' })
  })
})
