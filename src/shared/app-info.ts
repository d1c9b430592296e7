import { z } from 'zod'

export const RuntimeSchema = z.enum(['electron', 'web'])

export const SecretStorageSchema = z.object({
  /** Where connection secrets are kept, in words an operator understands. */
  backend: z.string(),
  /** False when the OS offers only plain-text storage; the UI shows `warning` then. */
  encrypted: z.boolean(),
  warning: z.string().nullable(),
})

export const AppInfoSchema = z.object({
  name: z.literal('Headcount'),
  version: z.string(),
  runtime: RuntimeSchema,
  nodeVersion: z.string(),
  electronVersion: z.string().nullable(),
  platform: z.string(),
  dataDir: z.string(),
  secretStorage: SecretStorageSchema,
})
export type AppInfo = z.infer<typeof AppInfoSchema>
export type SecretStorageInfo = z.infer<typeof SecretStorageSchema>
