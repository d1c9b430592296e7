import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'

/** The certificate and key `headcount serve --tls-cert FILE --tls-key FILE` serves with. */
export interface ServerTls {
  /** PEM, as read: the certificate, possibly followed by its intermediates. */
  cert: Buffer
  key: Buffer
  /** SHA-256 of the (first) certificate, as `AB:CD:…`: what a desktop console pins on first contact. */
  fingerprint: string
  /** When the certificate stops (or starts) being valid; clients refuse it outside that window. */
  validFrom: Date
  validTo: Date
}

/** A certificate or key that can't be served, in one line that names the file. */
export class TlsSetupError extends Error {
  override name = 'TlsSetupError'
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? (error as Error).message)
    throw new TlsSetupError(`Cannot read the TLS ${what} ${file}: ${reason}`)
  }
}

function parseKey(pem: Buffer, file: string): KeyObject {
  try {
    return createPrivateKey(pem)
  } catch (error) {
    // OpenSSL's error for a key that wants a passphrase varies by version; the PEM says it plainly.
    const text = pem.toString('latin1')
    const encrypted =
      (error as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE' ||
      text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') ||
      text.includes('Proc-Type: 4,ENCRYPTED')
    if (encrypted)
      throw new TlsSetupError(
        `The TLS key ${file} is protected by a passphrase; give an unencrypted key (openssl pkey -in ${file} -out server.key)`,
      )
    throw new TlsSetupError(`The TLS key ${file} is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`)
  }
}

/**
 * Reads and checks a PEM certificate and its private key before anything listens: each file readable,
 * each what it claims to be, and the key the certificate's own. Every refusal is one line naming the
 * file, so `serve` can print it and exit 1.
 */
export function loadServerTls(certFile: string, keyFile: string): ServerTls {
  const cert = readPem(certFile, 'certificate')
  const key = readPem(keyFile, 'key')
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    throw new TlsSetupError(
      `The TLS certificate ${certFile} is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")`,
    )
  }
  const privateKey = parseKey(key, keyFile)
  if (!certificate.checkPrivateKey(privateKey))
    throw new TlsSetupError(`The TLS key ${keyFile} does not belong to the certificate ${certFile}`)
  try {
    // What the HTTPS server itself will do with them: catches anything the checks above let through.
    createSecureContext({ cert, key })
  } catch (error) {
    throw new TlsSetupError(
      `The TLS certificate ${certFile} and key ${keyFile} cannot be used: ${(error as Error).message}`,
    )
  }
  return {
    cert,
    key,
    fingerprint: certificate.fingerprint256,
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
  }
}

/** A warning for a certificate clients will refuse right now (expired or not yet valid), else null. */
export function validityWarning(tls: Pick<ServerTls, 'validFrom' | 'validTo'>, now: Date): string | null {
  if (now > tls.validTo)
    return `the TLS certificate expired on ${tls.validTo.toISOString()}; clients will refuse it until it is renewed`
  if (now < tls.validFrom)
    return `the TLS certificate is valid only from ${tls.validFrom.toISOString()}; clients will refuse it until then (check this machine's clock)`
  return null
}
