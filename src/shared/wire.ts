import { z } from 'zod'
import type { Envelope } from './envelope.ts'

/**
 * Web mode's frames over the WebSocket. A call carries an id the reply echoes; events carry no id.
 * Kept apart from the contract: these are the transport's envelope, the contract is what they carry.
 */
export const API_PATH = '/api'
export const MAX_FRAME_BYTES = 1024 * 1024

export const CallFrameSchema = z.object({
  id: z.int().nonnegative(),
  method: z.string().min(1).max(200),
  input: z.unknown().optional(),
})
export type CallFrame = z.infer<typeof CallFrameSchema>

export interface ReplyFrame {
  /** The call's id, or null when the frame could not be read far enough to find one. */
  id: number | null
  result: Envelope<unknown>
}

export interface EventFrame {
  event: string
  payload: unknown
}

export type ServerFrame = ReplyFrame | EventFrame
