import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

export const TOKEN_COOKIE = 'headcount_token'

export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1'
  return false
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url')
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return undefined
}

/** The token a request presents, from `?token=` (first visit) or the cookie set then. */
export function presentedToken(request: IncomingMessage): string | undefined {
  const url = new URL(request.url ?? '/', 'http://localhost')
  return url.searchParams.get('token') ?? cookieValue(request.headers.cookie, TOKEN_COOKIE)
}

export function hasValidToken(request: IncomingMessage, token: string | null): boolean {
  if (token === null) return true
  const given = presentedToken(request)
  return given !== undefined && sameSecret(given, token)
}

/**
 * Browsers let any web page open a WebSocket to localhost, so the API only accepts connections whose
 * Origin is this server itself. Clients that are not browsers send no Origin and are let through (on a
 * non-loopback bind the token still applies).
 */
export function isAllowedOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  const host = request.headers.host
  if (!host) return false
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
