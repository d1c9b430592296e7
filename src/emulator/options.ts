// Emulator options and their defaults (Pusher's where Pusher has one).
import { AppIdSchema } from '../shared/connection.ts'

export interface EmulatorLogger {
  info(...a: unknown[]): void
  warn(...a: unknown[]): void
  error(...a: unknown[]): void
}

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0 (pick a free port). */
  port?: number
  appId?: string
  key?: string
  secret?: string
  /** Webhook receiver URLs; every batch goes to each. */
  webhooks?: string[]
  /** Delay before channel_vacated / member_removed webhooks; default 3000 ms. */
  vacateDelayMs?: number
  /** Presence member limit; default 100. */
  presenceLimit?: number
  /** How long a cache channel keeps its last event; default 30 minutes (Pusher's "up to 30 minutes"). */
  cacheTtlMs?: number
  webhookBatchMs?: number
  webhookBatchSize?: number
  /** Attempts per webhook batch (first try included); default 9, about 4 minutes of backoff. */
  webhookMaxAttempts?: number
  /** First retry delay, doubled each attempt; default 1000 ms. */
  webhookRetryBaseMs?: number
  /** Longest retry delay; default 60,000 ms. */
  webhookRetryMaxMs?: number
  /** Time allowed for a receiver to answer; default 4000 ms (Pusher's documented timeout). */
  webhookTimeoutMs?: number
  /** Sent to clients in connection_established; default 120 s. */
  activityTimeoutSec?: number
  /** How long a ping may go unanswered before the connection is closed with 4201; default 30 s. */
  pongTimeoutSec?: number
  clientEventsPerSecond?: number
  /**
   * List channels in `GET /channels` in a fresh random order on every request; default false (the order
   * they became occupied). Pusher documents no order, so this shows whether a client depends on one.
   */
  shuffleChannels?: boolean
  logger?: EmulatorLogger
}

export interface ResolvedOptions {
  host: string
  port: number
  appId: string
  key: string
  secret: string
  webhooks: string[]
  vacateDelayMs: number
  presenceLimit: number
  cacheTtlMs: number
  webhookBatchMs: number
  webhookBatchSize: number
  webhookMaxAttempts: number
  webhookRetryBaseMs: number
  webhookRetryMaxMs: number
  webhookTimeoutMs: number
  activityTimeoutSec: number
  pongTimeoutSec: number
  clientEventsPerSecond: number
  shuffleChannels: boolean
  logger: EmulatorLogger
}

/** Pusher keeps a cache channel's last event "up to 30 minutes". */
export const DEFAULT_CACHE_TTL_MS = 30 * 60_000

const silent: EmulatorLogger = { info() {}, warn() {}, error() {} }

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`Emulator option ${name} must be a non-negative number, got ${value}`)
  return value
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = nonNegative(name, value, fallback)
  if (result <= 0) throw new Error(`Emulator option ${name} must be greater than 0`)
  return result
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new Error(`Emulator option ${name} must be true or false, got ${String(value)}`)
  return value
}

function text(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`Emulator option ${name} must be a non-empty string`)
  return value
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const webhooks = options.webhooks ?? []
  for (const url of webhooks) {
    const parsed = URL.parse(url)
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new Error(`Webhook URL must be http(s): ${url}`)
    }
  }
  const appId = text('appId', options.appId, '1')
  const checkedAppId = AppIdSchema.safeParse(appId)
  if (!checkedAppId.success) throw new Error(`Emulator option appId: ${checkedAppId.error.issues[0]?.message}`)
  const key = text('key', options.key, 'headcount-key')
  if (key.includes('/') || key.includes(':')) throw new Error('Emulator option key must not contain "/" or ":"')
  const port = nonNegative('port', options.port, 0)
  if (!Number.isInteger(port) || port > 65535)
    throw new Error(`Emulator option port must be an integer 0-65535, got ${port}`)
  return {
    host: text('host', options.host, '127.0.0.1'),
    port,
    appId,
    key,
    secret: text('secret', options.secret, 'headcount-secret'),
    webhooks: [...webhooks],
    vacateDelayMs: nonNegative('vacateDelayMs', options.vacateDelayMs, 3000),
    presenceLimit: positive('presenceLimit', options.presenceLimit, 100),
    cacheTtlMs: positive('cacheTtlMs', options.cacheTtlMs, DEFAULT_CACHE_TTL_MS),
    webhookBatchMs: nonNegative('webhookBatchMs', options.webhookBatchMs, 250),
    webhookBatchSize: positive('webhookBatchSize', options.webhookBatchSize, 20),
    webhookMaxAttempts: positive('webhookMaxAttempts', options.webhookMaxAttempts, 9),
    webhookRetryBaseMs: nonNegative('webhookRetryBaseMs', options.webhookRetryBaseMs, 1000),
    webhookRetryMaxMs: nonNegative('webhookRetryMaxMs', options.webhookRetryMaxMs, 60_000),
    webhookTimeoutMs: positive('webhookTimeoutMs', options.webhookTimeoutMs, 4000),
    activityTimeoutSec: positive('activityTimeoutSec', options.activityTimeoutSec, 120),
    pongTimeoutSec: positive('pongTimeoutSec', options.pongTimeoutSec, 30),
    clientEventsPerSecond: positive('clientEventsPerSecond', options.clientEventsPerSecond, 10),
    shuffleChannels: flag('shuffleChannels', options.shuffleChannels, false),
    logger: options.logger ?? silent,
  }
}
