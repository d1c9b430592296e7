import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSelfSignedCertificate, type TestCertificate } from '../../tests/support/certificates.ts'
import { loadServerTls, TlsSetupError, validityWarning } from './tls.ts'

let own: TestCertificate
let other: TestCertificate
const scratch = mkdtempSync(join(tmpdir(), 'headcount-tls-unit-'))

beforeAll(async () => {
  own = await makeSelfSignedCertificate()
  other = await makeSelfSignedCertificate()
})
afterAll(() => {
  own.remove()
  other.remove()
  rmSync(scratch, { recursive: true, force: true })
})

function refusal(certFile: string, keyFile: string): string {
  try {
    loadServerTls(certFile, keyFile)
  } catch (error) {
    expect(error).toBeInstanceOf(TlsSetupError)
    expect((error as Error).message).not.toMatch(/\n/)
    return (error as Error).message
  }
  throw new Error('loadServerTls accepted the files')
}

describe('loadServerTls', () => {
  it('reads a certificate and its key, with the fingerprint clients pin', () => {
    const tls = loadServerTls(own.certFile, own.keyFile)
    expect(tls.fingerprint).toBe(own.fingerprint)
    expect(tls.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(tls.cert.toString()).toBe(own.cert)
    expect(tls.validTo.getTime()).toBeGreaterThan(Date.now())
  })

  it('refuses a key that belongs to another certificate, naming both files', () => {
    expect(refusal(own.certFile, other.keyFile)).toBe(
      `The TLS key ${other.keyFile} does not belong to the certificate ${own.certFile}`,
    )
  })

  it('refuses files that are missing, folders, or not what their flag says', () => {
    expect(refusal(join(scratch, 'missing.crt'), own.keyFile)).toBe(
      `Cannot read the TLS certificate ${join(scratch, 'missing.crt')}: no such file`,
    )
    expect(refusal(own.certFile, scratch)).toBe(`Cannot read the TLS key ${scratch}: it is a folder`)
    expect(refusal(own.keyFile, own.keyFile)).toMatch(/^The TLS certificate .* is not a PEM certificate/)
    expect(refusal(own.certFile, own.certFile)).toMatch(/^The TLS key .* is not a PEM private key/)
  })

  it.skipIf(process.getuid?.() === 0)('says when a file cannot be read for lack of permission', () => {
    const locked = join(scratch, 'locked.key')
    writeFileSync(locked, own.key)
    chmodSync(locked, 0o000)
    expect(refusal(own.certFile, locked)).toBe(`Cannot read the TLS key ${locked}: permission denied`)
  })

  it('asks for an unencrypted key rather than prompting for a passphrase', async () => {
    const { createPrivateKey } = await import('node:crypto')
    const encrypted = join(scratch, 'encrypted.key')
    writeFileSync(
      encrypted,
      createPrivateKey(own.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
    )
    expect(refusal(own.certFile, encrypted)).toMatch(/is protected by a passphrase; give an unencrypted key/)
  })
})

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// The README tells operators to make the team server's certificate with these commands: what they make
// must load, and the fingerprint openssl prints must be the one serve prints and consoles show.
describe.skipIf(!hasOpenssl())('a certificate made as the README says, with openssl', () => {
  it('loads, and openssl prints the same fingerprint serve prints', () => {
    const certFile = join(scratch, 'readme.crt')
    const keyFile = join(scratch, 'readme.key')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '825',
        '-subj',
        '/CN=headcount.example.com',
        '-addext',
        'subjectAltName=DNS:headcount.example.com,IP:192.0.2.10',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    )
    const tls = loadServerTls(certFile, keyFile)
    const printed = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    })
    // OpenSSL 1.1 says "SHA256 Fingerprint=", 3.x "sha256 Fingerprint=": the same digits either way.
    expect(printed.trim()).toMatch(new RegExp(`^sha256 Fingerprint=${tls.fingerprint}$`, 'i'))
  })
})

describe('validityWarning', () => {
  const window = { validFrom: new Date('2026-01-01T00:00:00Z'), validTo: new Date('2026-02-01T00:00:00Z') }
  it('warns about an expired or not yet valid certificate, and says nothing inside its window', () => {
    expect(validityWarning(window, new Date('2026-01-15T00:00:00Z'))).toBeNull()
    expect(validityWarning(window, new Date('2026-03-01T00:00:00Z'))).toMatch(/expired on 2026-02-01/)
    expect(validityWarning(window, new Date('2025-12-01T00:00:00Z'))).toMatch(/valid only from 2026-01-01/)
  })
})
