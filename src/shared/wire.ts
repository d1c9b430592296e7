import { z } from 'zod'
import { MAX_FRIENDS_CSV_CHARS } from './broadcast.ts'
import type { Envelope } from './envelope.ts'

/**
 * Web mode's frames over the WebSocket. A call carries an id the reply echoes; events carry no id.
 * Kept apart from the contract: these are the transport's envelope, the contract is what they carry.
 */
export const API_PATH = '/api'

/**
 * A plain GET a web page makes when its API socket is refused (a browser can't read a failed upgrade's
 * status): 204 when the page's token (cookie) is accepted, else the refusal in words.
 */
export const ACCESS_CHECK_PATH = '/api/access'

/**
 * Which revision of the contract a server's API socket speaks, sent as the `CONTRACT_HEADER` of its
 * upgrade answer. Bump it when a change to the contract's methods or events would make a console of
 * this version refuse what a server of the last one sends (or the other way round), so a desktop
 * console meeting a shared server of another version says so at once, instead of dropping its ticks.
 * 2: ticks and the rooms snapshot carry their stream and sequence number.
 */
export const CONTRACT_REVISION = 2
export const CONTRACT_HEADER = 'x-headcount-contract'

/**
 * JSON writes a character in at most 6 bytes (a control character as `\u0001`; other characters take
 * at most 3 bytes of UTF-8 per UTF-16 unit), so a string of N characters is at most 6N bytes in a frame.
 */
export const MAX_JSON_BYTES_PER_CHAR = 6

/**
 * Largest frame either side accepts (the server closes the socket with 1009 beyond it; the client
 * refuses to send such a call and fails only that call). The largest call is a friend import at its cap
 * (`MAX_FRIENDS_CSV_CHARS`), so the limit is that file at its worst plus room for the rest of the call:
 * any file the UI and the contract accept fits, whatever it holds. About 5.5 MB.
 */
export const MAX_FRAME_BYTES = MAX_FRIENDS_CSV_CHARS * MAX_JSON_BYTES_PER_CHAR + 64 * 1024

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
