import {
  ConnectionSchema,
  ConnectionUrlError,
  parseConnectionUrl,
  SecretSchema,
  type Credentials,
} from '../shared/connection.ts'
import { describeIssues } from '../shared/issues.ts'
import { UsageError } from './usage.ts'

/** The connection flags `serve` and `snapshot` share (DESIGN §11). */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  'app-id': { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  cluster: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  tls: { type: 'boolean' },
} as const

export const CONNECTION_USAGE = `Connection (else from PUSHER_URL, or PUSHER_APP_ID, PUSHER_KEY, PUSHER_SECRET and PUSHER_CLUSTER):
  --url URL          http(s)://KEY:SECRET@HOST[:PORT]/apps/APP_ID (as headcount emulator prints)
  --app-id ID --key KEY --secret SECRET
  --cluster C        e.g. mt1, eu (or instead:)
  --host H [--port P] [--tls]`

export interface ConnectionFlagValues {
  url?: string
  'app-id'?: string
  key?: string
  secret?: string
  cluster?: string
  host?: string
  port?: string
  tls?: boolean
}

function fromParts(
  parts: {
    appId?: string
    key?: string
    secret?: string
    cluster?: string
    host?: string
    port?: string
    tls?: boolean
  },
  source: string,
): Credentials {
  const missing = [
    parts.appId === undefined && 'app id',
    parts.key === undefined && 'key',
    parts.secret === undefined && 'secret',
    parts.cluster === undefined && parts.host === undefined && 'cluster or host',
  ].filter(Boolean)
  if (missing.length) throw new UsageError(`${source}: missing ${missing.join(', ')}`)
  if (parts.cluster !== undefined && parts.host !== undefined)
    throw new UsageError(`${source}: give a cluster or a host, not both`)
  if (parts.cluster !== undefined && (parts.port !== undefined || parts.tls)) {
    throw new UsageError(`${source}: --port and --tls go with --host, not --cluster`)
  }
  const port = parts.port === undefined ? null : Number(parts.port)
  if (port !== null && (!/^\d+$/.test(parts.port ?? '') || port < 1 || port > 65535)) {
    throw new UsageError(`${source}: port must be 1-65535, got "${parts.port}"`)
  }
  const candidate = {
    appId: parts.appId,
    key: parts.key,
    target:
      parts.cluster !== undefined
        ? { kind: 'cluster', cluster: parts.cluster }
        : { kind: 'host', host: parts.host, port, useTLS: parts.tls ?? false },
  }
  const parsed = ConnectionSchema.safeParse(candidate)
  if (!parsed.success) throw new UsageError(`${source}: ${describeIssues(parsed.error, { withPaths: false })}`)
  const secret = SecretSchema.safeParse(parts.secret)
  if (!secret.success) throw new UsageError(`${source}: ${secret.error.issues[0]?.message}`)
  return { ...parsed.data, secret: secret.data }
}

/**
 * The connection from flags, else the environment, else null. Flags win over the environment; mixing
 * --url with the separate flags is refused.
 */
export function connectionFromFlags(values: ConnectionFlagValues, env: NodeJS.ProcessEnv): Credentials | null {
  const separate =
    values['app-id'] ?? values.key ?? values.secret ?? values.cluster ?? values.host ?? values.port ?? values.tls
  if (values.url !== undefined) {
    if (separate !== undefined)
      throw new UsageError('--url already holds the whole connection: drop the other connection flags')
    try {
      return parseConnectionUrl(values.url)
    } catch (error) {
      if (error instanceof ConnectionUrlError) throw new UsageError(`--url: ${error.message}`)
      throw error
    }
  }
  if (separate !== undefined) {
    return fromParts(
      {
        appId: values['app-id'],
        key: values.key,
        secret: values.secret,
        cluster: values.cluster,
        host: values.host,
        port: values.port,
        tls: values.tls,
      },
      'connection flags',
    )
  }
  if (env.PUSHER_URL) {
    try {
      return parseConnectionUrl(env.PUSHER_URL)
    } catch (error) {
      if (error instanceof ConnectionUrlError) throw new UsageError(`PUSHER_URL: ${error.message}`)
      throw error
    }
  }
  if (env.PUSHER_APP_ID ?? env.PUSHER_KEY ?? env.PUSHER_SECRET) {
    return fromParts(
      {
        appId: env.PUSHER_APP_ID,
        key: env.PUSHER_KEY,
        secret: env.PUSHER_SECRET,
        cluster: env.PUSHER_CLUSTER ?? (env.PUSHER_HOST ? undefined : 'mt1'),
        host: env.PUSHER_HOST,
        port: env.PUSHER_PORT,
      },
      'PUSHER_* environment',
    )
  }
  return null
}
