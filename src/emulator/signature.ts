// Pusher's signing rules: HTTP API requests, channel authorization, user sign-in and webhooks all use
// HMAC-SHA256 hex with the app secret.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex')
}

export function md5Hex(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex')
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * The query part of the string to sign: keys lowercased, sorted, auth_signature left out, values not
 * URL-escaped.
 */
export function canonicalQuery(params: Iterable<[string, string]>): string {
  const byKey = new Map<string, string>()
  for (const [key, value] of params) {
    const lower = key.toLowerCase()
    if (lower === 'auth_signature') continue
    byKey.set(lower, value)
  }
  return [...byKey.keys()]
    .sort()
    .map((key) => `${key}=${byKey.get(key) ?? ''}`)
    .join('&')
}

export function stringToSign(method: string, path: string, params: Iterable<[string, string]>): string {
  return `${method.toUpperCase()}\n${path}\n${canonicalQuery(params)}`
}

export function channelAuthString(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`
}

export function userAuthString(socketId: string, userData: string): string {
  return `${socketId}::user::${userData}`
}

/** What a client must send as `auth`: `key:signature`. */
export function signChannel(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData?: string,
): string {
  return `${key}:${hmacHex(secret, channelAuthString(socketId, channel, channelData))}`
}
