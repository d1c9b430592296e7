import { z } from 'zod'

export const SyncModeSchema = z.enum(['poll', 'webhook', 'hybrid'])
export type SyncMode = z.infer<typeof SyncModeSchema>

/** How Headcount learns which channels exist (DESIGN §4). */
export const SyncOptionsSchema = z.object({
  mode: SyncModeSchema,
  /** Seconds between polls in poll mode. */
  pollIntervalSec: z.int().min(1).max(300),
  /** Seconds between reconciling polls in hybrid mode. */
  reconcileIntervalSec: z.int().min(10).max(3600),
  /** Local port the webhook receiver listens on (webhook and hybrid modes). */
  webhookPort: z.int().min(1).max(65535),
  /** Address the webhook receiver binds; Pusher must be able to reach it (often through a tunnel). */
  webhookHost: z.string().min(1).max(253),
})
export type SyncOptions = z.infer<typeof SyncOptionsSchema>

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  mode: 'poll',
  pollIntervalSec: 5,
  reconcileIntervalSec: 60,
  webhookPort: 7481,
  webhookHost: '127.0.0.1',
}

export const FailureSchema = z.object({
  kind: z.string(),
  message: z.string(),
  hint: z.string(),
  status: z.number().nullable(),
})

export const SyncStatusSchema = z.object({
  mode: SyncModeSchema,
  state: z.enum(['starting', 'ok', 'failing', 'stopped']),
  lastSuccessAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  nextAttemptAt: z.number().nullable(),
  latencyMs: z.number().nullable(),
  responseBytes: z.number().nullable(),
  channels: z.number(),
  unmatched: z.number(),
  participants: z.number(),
  rooms: z.number(),
  error: FailureSchema.extend({ since: z.number(), attempts: z.int() }).nullable(),
  webhook: z
    .object({
      listening: z.boolean(),
      address: z.string().nullable(),
      received: z.int(),
      rejected: z.int(),
      lastAt: z.number().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
  drift: z.object({ lastCheckAt: z.number().nullable(), last: z.int(), total: z.int(), checks: z.int() }).nullable(),
})
export type SyncStatus = z.infer<typeof SyncStatusSchema>
