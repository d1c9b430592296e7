// Checks an HTTP API request the way Pusher does: auth_key, auth_timestamp within 600 s,
// auth_version 1.0, body_md5 for non-empty bodies, then the HMAC over METHOD\nPATH\nSORTED_QUERY.
import { AUTH_TIMESTAMP_WINDOW_SEC } from '../shared/pusher-limits.ts'
import { hmacHex, md5Hex, safeEqual, stringToSign } from './signature.ts'

export interface SignedRequest {
  method: string
  /** Candidate paths to check the signature against: the raw path and, if different, its decoded form. */
  paths: readonly string[]
  params: ReadonlyArray<[string, string]>
  body: string
}

export type AuthResult = { ok: true } | { ok: false; status: 401; message: string }

function refuse(message: string): AuthResult {
  return { ok: false, status: 401, message }
}

export function checkRequestAuth(req: SignedRequest, key: string, secret: string, nowMs: number): AuthResult {
  const get = (name: string): string | undefined => {
    let found: string | undefined
    for (const [k, v] of req.params) if (k.toLowerCase() === name) found = v
    return found
  }
  const authKey = get('auth_key')
  if (authKey === undefined) return refuse('Missing auth_key parameter')
  if (authKey !== key) return refuse(`Unknown auth_key '${authKey}'`)

  const stamp = get('auth_timestamp')
  if (stamp === undefined) return refuse('Missing auth_timestamp parameter')
  const seconds = Number(stamp)
  const now = Math.floor(nowMs / 1000)
  if (!/^\d+$/.test(stamp) || !Number.isSafeInteger(seconds)) return refuse(`Invalid auth_timestamp '${stamp}'`)
  if (Math.abs(now - seconds) > AUTH_TIMESTAMP_WINDOW_SEC) {
    return refuse(
      `Timestamp expired: Given timestamp (${seconds}) not within ${AUTH_TIMESTAMP_WINDOW_SEC}s of server time (${now})`,
    )
  }

  const version = get('auth_version')
  if (version === undefined) return refuse('Missing auth_version parameter')
  if (version !== '1.0') return refuse(`Unsupported auth_version '${version}'; expected 1.0`)

  const bodyMd5 = get('body_md5')
  if (req.body.length > 0 || bodyMd5 !== undefined) {
    if (bodyMd5 === undefined) return refuse('Missing body_md5 parameter: required for requests with a body')
    const actual = md5Hex(req.body)
    if (bodyMd5.toLowerCase() !== actual)
      return refuse(`Invalid body_md5: the MD5 of the body is ${actual}, but you sent ${bodyMd5}`)
  }

  const signature = get('auth_signature')
  if (signature === undefined) return refuse('Missing auth_signature parameter')
  for (const path of req.paths) {
    if (safeEqual(hmacHex(secret, stringToSign(req.method, path, req.params)), signature.toLowerCase()))
      return { ok: true }
  }
  const expected = stringToSign(req.method, req.paths[0] ?? '/', req.params)
  return refuse(
    `Invalid signature: you should have sent HmacSHA256Hex(${JSON.stringify(expected)}, your_secret_key), but you sent "${signature}"`,
  )
}
