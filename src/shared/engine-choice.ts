import { z } from 'zod'
import { API_PATH } from './wire.ts'

/**
 * Which engine a console shows: this computer's own, or a shared `headcount serve` that a team runs
 * once (one poll of the app, one history, one broadcaster). The desktop app can switch between them;
 * a page opened from a server always shows that server.
 */

/** A certificate's SHA-256 as Node and `headcount serve` print it: 32 upper-case hex pairs and colons. */
export const FingerprintSchema = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'Not a SHA-256 fingerprint (32 pairs of hex digits separated by colons)')

/** Accepts a fingerprint as people copy it (any case, with colons, spaces or nothing between pairs). */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/[\s:]/g, '').toUpperCase()
  if (!/^[0-9A-F]{64}$/.test(hex)) return null
  return hex.match(/../g)?.join(':') ?? null
}

/**
 * The link to a shared server: `connecting` (first attempt), `connected`, `retrying` (it went away or
 * could not be reached; tried again with backoff), `refused` (the token or the certificate was refused:
 * trying again would not help until the operator acts).
 */
export const RemoteLinkStateSchema = z.enum(['connecting', 'connected', 'retrying', 'refused'])
export type RemoteLinkState = z.infer<typeof RemoteLinkStateSchema>

export const EngineViewSchema = z.object({
  /** `desktop`: the app, which can switch engines; `web`: a page served by the engine it shows. */
  shell: z.enum(['desktop', 'web']),
  shown: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local') }),
    z.object({
      kind: z.literal('remote'),
      /** As shown to the operator: `wss://host:port`. */
      url: z.string(),
      state: RemoteLinkStateSchema,
      /** Why it is not connected, in words; null while connected. */
      problem: z.string().nullable(),
    }),
  ]),
  /** The shared server last chosen, to offer again: its address and pinned certificate, never its token. */
  saved: z.object({ url: z.string(), fingerprint: FingerprintSchema.nullable(), hasToken: z.boolean() }).nullable(),
})
export type EngineView = z.infer<typeof EngineViewSchema>

export const RemoteServerInputSchema = z.object({
  /** The address `headcount serve` printed (`https://host:port/?token=…` is fine), or `host:port`. */
  url: z.string().trim().min(1, 'Give the shared server’s address').max(2000),
  /** Omitted: the token in the address, else the one saved for this same server, else none. */
  token: z.string().trim().min(1).max(500).optional(),
  /** The certificate fingerprint the operator compared and accepted; omitted: the saved one, else the system's trust. */
  fingerprint: FingerprintSchema.optional(),
})
export type RemoteServerInput = z.input<typeof RemoteServerInputSchema>

export const CertificateSeenSchema = z.object({
  fingerprint: FingerprintSchema,
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** Why this computer does not trust it on its own (e.g. "self-signed certificate"). */
  reason: z.string(),
})
export type CertificateSeen = z.infer<typeof CertificateSeenSchema>

export const EngineSwitchResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('switched'), engine: EngineViewSchema }),
  /**
   * Nothing switched: the server presented a certificate this computer does not trust (or not the one
   * pinned). The operator compares the fingerprint with the one the server printed and, if they match,
   * asks again with it.
   */
  z.object({ outcome: z.literal('untrusted-certificate'), message: z.string(), certificate: CertificateSeenSchema }),
])
export type EngineSwitchResult = z.infer<typeof EngineSwitchResultSchema>

/** Which engine a view is about (not how its link is): a console that sees it change starts afresh. */
export function engineIdentity(view: EngineView): string {
  return view.shown.kind === 'remote' ? `remote ${view.shown.url}` : 'local'
}

/** "this computer" or "shared server wss://host:port": what the title and status bar say. */
export function engineLabel(view: EngineView): string {
  return view.shown.kind === 'remote' ? `shared server ${view.shown.url}` : 'this computer'
}

/** The window title: which engine the console shows, when it can show either. */
export function engineTitle(view: EngineView | null): string {
  if (!view || view.shell === 'web') return 'Headcount'
  return `Headcount — ${engineLabel(view)}`
}

export class ServerAddressError extends Error {
  override name = 'ServerAddressError'
}

export interface ServerAddress {
  /** Where the API socket is: `wss://host:port/api`. */
  apiUrl: string
  /** The server's HTTPS (or HTTP) origin, for downloads: `https://host:port`. */
  origin: string
  /** As shown to the operator: `wss://host:port`. */
  shown: string
  secure: boolean
  /** A token carried in the address (`?token=…`, as `headcount serve` prints it), if any. */
  token: string | null
}

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/**
 * Reads the address of a shared server as an operator gives it: the URL `headcount serve` printed,
 * its `wss://…/api`, or just `host:port` (then HTTPS). Plain HTTP is accepted only for a server on this
 * computer: anywhere else the token would cross the network in clear.
 */
export function parseServerAddress(text: string): ServerAddress {
  const trimmed = text.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new ServerAddressError(`"${trimmed}" is not an address: give it as https://host:port`)
  }
  const scheme = url.protocol.slice(0, -1)
  if (!['https', 'wss', 'http', 'ws'].includes(scheme))
    throw new ServerAddressError(`A shared server is reached over https:// (or wss://), not ${scheme}://`)
  if (url.username || url.password)
    throw new ServerAddressError(
      'Give the access token in its own field, not as a user name or password in the address',
    )
  if (!url.hostname) throw new ServerAddressError('The address has no host name')
  if (url.pathname !== '/' && url.pathname !== API_PATH && url.pathname !== `${API_PATH}/`)
    throw new ServerAddressError(`Give the server's address without a path (not ${url.pathname})`)
  const secure = scheme === 'https' || scheme === 'wss'
  if (!secure && !isLoopbackName(url.hostname))
    throw new ServerAddressError(
      'A shared server on another computer must be reached over TLS (https://): its access token would otherwise cross the network in clear. Start it with --tls-cert and --tls-key.',
    )
  const host = url.host
  return {
    apiUrl: `${secure ? 'wss' : 'ws'}://${host}${API_PATH}`,
    origin: `${secure ? 'https' : 'http'}://${host}`,
    shown: `${secure ? 'wss' : 'ws'}://${host}`,
    secure,
    token: url.searchParams.get('token') || null,
  }
}
