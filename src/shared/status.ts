import { z } from 'zod'
import { BroadcastStatusSchema } from './broadcast.ts'
import { SyncStatusSchema } from './sync.ts'

/**
 * What the engine reports about itself. Later parts (sync, broadcaster) add optional sections; the
 * renderer's status bar reads only what it knows.
 */
export const ConnectionStateSchema = z.enum(['disconnected', 'connecting', 'connected', 'error'])
export type ConnectionState = z.infer<typeof ConnectionStateSchema>

export const StatusSchema = z.object({
  connection: ConnectionStateSchema,
  /** Name of the active connection profile, if any. */
  profile: z.string().nullable(),
  profileId: z.string().nullable(),
  /** Plain-words summary for the status bar. */
  message: z.string(),
  /** ISO time this status was produced. */
  at: z.iso.datetime(),
  /** True while the embedded demo (emulator and simulated crowd) is running. */
  demo: z.boolean(),
  /** Sync details while connected (or last connected). */
  sync: SyncStatusSchema.nullable(),
  /** The broadcaster of the connected profile; absent while no profile is connected. */
  broadcast: BroadcastStatusSchema.optional(),
})
export type Status = z.infer<typeof StatusSchema>
