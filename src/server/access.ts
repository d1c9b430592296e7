import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

export const TOKEN_COOKIE = 'headcount_token'

/** `host` or `host:port`, where host is a name, an IPv4 address or a bracketed IPv6 address: nothing else. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/

/** A Host value (or an address) as one spelling: lower case, no trailing dot, IPv6 compressed and bracketed. */
function canonicalHost(value: string): { name: string; port: number } | null {
  if (!HOST_HEADER.test(value)) return null
  try {
    const url = new URL(`http://${value}/`)
    return { name: url.hostname.replace(/\.$/, ''), port: url.port === '' ? 80 : Number(url.port) }
  } catch {
    return null
  }
}

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

/**
 * The token a request presents: `Authorization: Bearer` (the desktop console and scripts), else
 * `?token=` (a browser's first visit), else the cookie set then.
 */
export function presentedToken(request: IncomingMessage): string | undefined {
  const bearer = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  if (bearer !== undefined) return bearer
  const url = new URL(request.url ?? '/', 'http://localhost')
  return url.searchParams.get('token') ?? cookieValue(request.headers.cookie, TOKEN_COOKIE)
}

export function hasValidToken(request: IncomingMessage, token: string | null): boolean {
  return tokenRefusal(request, token) === null
}

/** Why a request's token is refused, in words for the person who opened the page; null when it is accepted. */
export interface TokenRefusal {
  kind: 'missing' | 'wrong'
  title: string
  text: string
}

export function tokenRefusal(request: IncomingMessage, token: string | null): TokenRefusal | null {
  if (token === null) return null
  const given = presentedToken(request)
  if (given === undefined || given === '') {
    return {
      kind: 'missing',
      title: 'This Headcount server needs an access token',
      text:
        'This Headcount server needs an access token. Open the address that headcount serve printed when it ' +
        'started (it ends in ?token=…), or ask whoever runs the server for it.',
    }
  }
  if (sameSecret(given, token)) return null
  return {
    kind: 'wrong',
    title: 'The server refused the access token',
    text:
      'The server refused the access token: it is not the one this server was started with (it may have ' +
      'been restarted with a new one). Open the address that headcount serve printed when it started, or ask ' +
      'whoever runs the server for the current token.',
  }
}

/**
 * Browsers let any web page open a WebSocket to localhost, so the API only accepts connections whose
 * Origin is this server itself. Clients that are not browsers send no Origin and are let through (on a
 * non-loopback bind the token still applies).
 */
export function isAllowedOrigin(request: IncomingMessage, scheme: 'http' | 'https' = 'http'): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  const host = request.headers.host
  if (!host) return false
  try {
    // Both as URLs, so case, spelling and default-port differences (`LOCALHOST`, `[0::1]`, `:443`) don't
    // matter; the scheme must be this server's own too.
    return HOST_HEADER.test(host) && new URL(origin).origin === new URL(`${scheme}://${host}/`).origin
  } catch {
    return false
  }
}

/**
 * DNS rebinding: a page on `evil.example` can make its own name resolve to 127.0.0.1 and then talk to
 * this server as a same-origin page (its Origin and Host both say `evil.example`). What it cannot
 * change is the Host its browser sends, so without a token the server answers only requests addressed
 * to its own address or a loopback name, on its own port. Returns why a request is refused, or null.
 */
export function hostRefusal(header: string | undefined, bound: { address: string; port: number }): string | null {
  if (!header) return 'The request has no Host header; this server answers only requests that name it'
  const boundName = isIP(bound.address) === 6 ? `[${bound.address}]` : bound.address
  const names = new Set(['localhost', '127.0.0.1', '[::1]'])
  const own = canonicalHost(boundName)
  if (own) names.add(own.name)
  const given = canonicalHost(header)
  if (given && names.has(given.name) && given.port === bound.port) return null
  return (
    `This Headcount server answers only to ${[...names].join(', ')} on port ${bound.port}; the request was ` +
    'addressed to another name (as a web page rebinding its DNS to this machine would do). Open the address ' +
    'Headcount printed when it started.'
  )
}
