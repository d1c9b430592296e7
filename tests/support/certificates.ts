import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'

export interface TestCertificate {
  /** PEM files, as an operator passes them to `headcount serve --tls-cert … --tls-key …`. */
  certFile: string
  keyFile: string
  cert: string
  key: string
  /** SHA-256 of the certificate, `AB:CD:…`, as Node (and `headcount serve`) print it. */
  fingerprint: string
  remove(): void
}

/**
 * A self-signed certificate for a test's own server, made in the test: an EC P-256 key pair from
 * node:crypto and a certificate for `localhost` and 127.0.0.1 signed with it, valid for a day.
 */
export async function makeSelfSignedCertificate(
  options: { commonName?: string; validFrom?: Date; days?: number } = {},
): Promise<TestCertificate> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const notBeforeDate = options.validFrom ?? new Date(Date.now() - 60_000)
  const pems = await generate([{ name: 'commonName', value: options.commonName ?? 'localhost' }], {
    keyPair: { privateKey: key, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + (options.days ?? 1) * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  })
  const dir = mkdtempSync(join(tmpdir(), 'headcount-tls-'))
  const certFile = join(dir, 'server.crt')
  const keyFile = join(dir, 'server.key')
  writeFileSync(certFile, pems.cert)
  writeFileSync(keyFile, key, { mode: 0o600 })
  return {
    certFile,
    keyFile,
    cert: pems.cert,
    key,
    fingerprint: new X509Certificate(pems.cert).fingerprint256,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
