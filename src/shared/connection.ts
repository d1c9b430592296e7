import { z } from 'zod'
import { describeIssues } from './issues.ts'

/**
 * A connection profile: which Channels app Headcount watches. The secret is not part of it: it lives
 * in the engine's secret store and never reaches the UI; profiles shown to the UI say only whether one
 * is saved.
 */
export const MAX_APP_ID_LENGTH = 100
/**
 * Pusher's app ids are numbers; Soketi, Reverb and Sockudo take names such as `app1` or `app-id`. Any id
 * the HTTP API can carry as a path segment without escaping is accepted, except `.` and `..`, which URL
 * parsers fold away (the request would go to another path than the one signed).
 */
export const AppIdSchema = z
  .string()
  .regex(
    new RegExp(`^[A-Za-z0-9_.-]{1,${MAX_APP_ID_LENGTH}}$`),
    `App id is 1 to ${MAX_APP_ID_LENGTH} letters, digits, "-", "_" or "." (a number on Pusher, a name such as app-1 on Soketi)`,
  )
  .refine((id) => id !== '.' && id !== '..', 'App id can\'t be "." or "..": they are not names a URL path keeps')
export const AppKeySchema = z
  .string()
  .min(1, 'Key is required')
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, 'Key has characters a Pusher key never has')
export const SecretSchema = z
  .string()
  .min(1, 'Secret is required')
  .max(200)
  .regex(/^\S+$/, 'Secret must not contain spaces')
const ClusterSchema = z.string().regex(/^[a-z0-9-]{2,30}$/, 'Cluster looks like mt1, eu or ap2')
const HostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)$/, 'Host is a name or an IP address, without scheme or path')

export const TargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cluster'), cluster: ClusterSchema }),
  z.object({
    kind: z.literal('host'),
    host: HostSchema,
    port: z
      .int('Port is a whole number')
      .min(1, 'Port is a number from 1 to 65535')
      .max(65535, 'Port is a number from 1 to 65535')
      .nullable(),
    useTLS: z.boolean(),
  }),
])
export type Target = z.infer<typeof TargetSchema>

export const ConnectionSchema = z.object({
  appId: AppIdSchema,
  key: AppKeySchema,
  target: TargetSchema,
})
export type Connection = z.infer<typeof ConnectionSchema>

/** A connection with its secret: only ever inside the engine. */
export type Credentials = Connection & { secret: string }

/** The HTTP API's base URL for a target, e.g. https://api-mt1.pusher.com or http://127.0.0.1:6001. */
export function apiBaseUrl(target: Target): string {
  if (target.kind === 'cluster') return `https://api-${target.cluster}.pusher.com`
  const scheme = target.useTLS ? 'https' : 'http'
  return `${scheme}://${target.host}${target.port === null ? '' : `:${target.port}`}`
}

/**
 * Which app a connection reaches, in words: its API, id and key (the secret is no part of it). Two
 * connections with the same identity are the same app; anything agreed or counted for one app (the
 * broadcaster's confirmation, its day's spend) is not the other's.
 */
export function appIdentity(connection: Connection): string {
  return `${apiBaseUrl(connection.target)}/apps/${connection.appId} key ${connection.key}`
}

export class ConnectionUrlError extends Error {
  override name = 'ConnectionUrlError'
}

/**
 * Reads the `pusher` SDK's `forURL` form, `http(s)://KEY:SECRET@HOST[:PORT]/apps/APP_ID` (also what
 * PUSHER_URL holds and what `headcount emulator` prints). `api-CLUSTER.pusher.com` hosts become a
 * cluster target.
 */
export function parseConnectionUrl(raw: string): Credentials {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new ConnectionUrlError('Not a URL; expected http(s)://KEY:SECRET@HOST[:PORT]/apps/APP_ID')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConnectionUrlError(`Unsupported scheme ${url.protocol}; use http or https`)
  }
  const key = decodeURIComponent(url.username)
  const secret = decodeURIComponent(url.password)
  if (!key || !secret) throw new ConnectionUrlError('The URL must carry KEY:SECRET@ before the host')
  // Read here rather than by the SDK's forURL, which parseInts the id and so loses ids such as app-1.
  const rawAppId = url.pathname.match(/^\/apps\/([^/]+)\/?$/)?.[1]
  if (!rawAppId) throw new ConnectionUrlError('The URL path must be /apps/APP_ID')
  let appId: string
  try {
    appId = decodeURIComponent(rawAppId)
  } catch {
    throw new ConnectionUrlError('The app id in the URL path is not valid percent-encoding')
  }
  const cluster = url.hostname.match(/^api-([a-z0-9-]+)\.pusher\.com$/)?.[1]
  const useTLS = url.protocol === 'https:'
  const target: Target =
    cluster && useTLS && !url.port
      ? { kind: 'cluster', cluster }
      : { kind: 'host', host: url.hostname, port: url.port ? Number(url.port) : null, useTLS }
  const parsed = ConnectionSchema.safeParse({ appId, key, target })
  if (!parsed.success) {
    throw new ConnectionUrlError(describeIssues(parsed.error, { withPaths: false }))
  }
  const checkedSecret = SecretSchema.safeParse(secret)
  if (!checkedSecret.success) throw new ConnectionUrlError(checkedSecret.error.issues[0]?.message ?? 'Invalid secret')
  return { ...parsed.data, secret }
}
