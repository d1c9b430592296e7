import { z } from 'zod'
import { AlertRuleSchema, MAX_ALERT_RULES } from './alerts.ts'
import { BroadcastSettingsSchema, DEFAULT_BROADCAST_SETTINGS } from './broadcast.ts'
import { ConnectionSchema, SecretSchema } from './connection.ts'
import { NamingConventionSchema } from './naming.ts'
import { SyncOptionsSchema } from './sync.ts'

export const ProfileIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a profile id')

/** A saved connection: the app, how its channels are named, and how to sync. No secret here. */
export const ProfileSchema = z.object({
  id: ProfileIdSchema,
  name: z.string().trim().min(1, 'Give the connection a name').max(80),
  connection: ConnectionSchema,
  convention: NamingConventionSchema,
  sync: SyncOptionsSchema,
  /** Broadcasting for this app; profiles saved before the broadcaster existed get the defaults (off). */
  broadcast: BroadcastSettingsSchema.default(DEFAULT_BROADCAST_SETTINGS),
  /** Alert rules, evaluated by the engine while this connection is watched; none for profiles saved before alerts. */
  alerts: z
    .array(AlertRuleSchema)
    .max(MAX_ALERT_RULES, `At most ${MAX_ALERT_RULES} alert rules per connection`)
    .default([]),
})
export type Profile = z.infer<typeof ProfileSchema>

/** What the UI sees of a profile: everything but the secret, and whether one is saved. */
export const ProfileViewSchema = ProfileSchema.extend({ hasSecret: z.boolean() })
export type ProfileView = z.infer<typeof ProfileViewSchema>

/** Saving a profile: a new one needs a secret; an existing one keeps its secret unless a new one is given. */
export const ProfileInputSchema = z.object({
  id: ProfileIdSchema.optional(),
  name: z.string().trim().min(1, 'Give the connection a name').max(80),
  connection: ConnectionSchema,
  secret: SecretSchema.optional(),
  convention: NamingConventionSchema.optional(),
  sync: SyncOptionsSchema.optional(),
  broadcast: BroadcastSettingsSchema.optional(),
})
export type ProfileInput = z.infer<typeof ProfileInputSchema>

/** Test a saved profile, or form values before saving (the secret may come from the saved profile). */
export const ConnectionTestInputSchema = z
  .object({
    id: ProfileIdSchema.optional(),
    connection: ConnectionSchema.optional(),
    secret: SecretSchema.optional(),
  })
  .refine((input) => input.id !== undefined || (input.connection !== undefined && input.secret !== undefined), {
    message: 'Give a saved profile id, or a connection with its secret',
  })
export type ConnectionTestInput = z.infer<typeof ConnectionTestInputSchema>

export const ConnectionTestResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), endpoint: z.string(), latencyMs: z.number(), channels: z.int() }),
  z.object({
    ok: z.literal(false),
    endpoint: z.string(),
    failure: z.object({ kind: z.string(), message: z.string(), hint: z.string() }),
  }),
])
export type ConnectionTestResult = z.infer<typeof ConnectionTestResultSchema>
