// Validation of HTTP API request bodies and parameters against Pusher's rules. Pure: returns the
// parsed request or the status and message Pusher would answer with.
import { z } from 'zod'
import { MAX_CHANNELS_PER_TRIGGER, MAX_EVENT_DATA_BYTES, MAX_EVENTS_PER_BATCH } from '../shared/pusher-limits.ts'
import { channelNameProblem, eventNameProblem, isValidSocketId, utf8Length } from './limits.ts'

export type InfoAttribute = 'user_count' | 'subscription_count' | 'cache'

export interface TriggerEvent {
  name: string
  data: string
  channels: string[]
  socketId: string | undefined
  info: ReadonlySet<InfoAttribute> | null
}

export interface Refusal {
  ok: false
  status: 400 | 413
  message: string
}

export type Parsed<T> = { ok: true; value: T } | Refusal

const bad = (message: string): Refusal => ({ ok: false, status: 400, message })
const tooLarge = (message: string): Refusal => ({ ok: false, status: 413, message })

const EventFields = z.object({
  name: z.unknown(),
  data: z.unknown(),
  channel: z.unknown().optional(),
  channels: z.unknown().optional(),
  socket_id: z.unknown().optional(),
  info: z.unknown().optional(),
})

const BatchBody = z.object({ batch: z.array(z.unknown()) })

export function parseJsonBody(body: string): Parsed<unknown> {
  if (body.trim().length === 0) return bad('Request body is empty: expected a JSON object')
  try {
    return { ok: true, value: JSON.parse(body) as unknown }
  } catch (error) {
    return bad(`Request body is not valid JSON: ${(error as Error).message}`)
  }
}

export function parseInfo(
  value: unknown,
  allowed: readonly InfoAttribute[],
): Parsed<ReadonlySet<InfoAttribute> | null> {
  if (value === undefined) return { ok: true, value: null }
  if (typeof value !== 'string') return bad('info must be a comma-separated string of attributes')
  const attributes = new Set<InfoAttribute>()
  for (const raw of value.split(',')) {
    const attribute = raw.trim()
    if (attribute === '') continue
    if (!(allowed as readonly string[]).includes(attribute)) {
      return bad(`Unsupported info attribute '${attribute}'; supported: ${allowed.join(', ')}`)
    }
    attributes.add(attribute as InfoAttribute)
  }
  return { ok: true, value: attributes }
}

/** One event of POST /events (channel or channels) or of a batch (`inBatch`: exactly one channel). */
export function parseEvent(raw: unknown, inBatch: boolean): Parsed<TriggerEvent> {
  const fields = EventFields.safeParse(raw)
  if (!fields.success)
    return bad('Expected a JSON object with name, data and channel' + (inBatch ? '' : ' or channels'))
  const { name, data, channel, channels, socket_id: socketId, info } = fields.data

  const nameProblem = eventNameProblem(name)
  if (nameProblem !== null) return bad(`Invalid event name: ${nameProblem}`)

  let list: string[]
  if (inBatch) {
    if (channel === undefined) return bad('Each batch event needs a channel')
    if (channels !== undefined) return bad('Batch events take a single channel, not channels')
    list = [channel as string]
  } else if (channel !== undefined && channels !== undefined) {
    return bad('Give either channel or channels, not both')
  } else if (channels !== undefined) {
    if (!Array.isArray(channels)) return bad('channels must be an array of channel names')
    list = channels as string[]
  } else if (channel !== undefined) {
    list = [channel as string]
  } else {
    return bad('Missing channels: give channel or channels')
  }
  if (list.length === 0) return bad('channels must name at least one channel')
  if (list.length > MAX_CHANNELS_PER_TRIGGER) {
    return bad(`Too many channels: ${list.length} given, at most ${MAX_CHANNELS_PER_TRIGGER} are allowed per event`)
  }
  for (const item of list) {
    const problem = channelNameProblem(item, true)
    if (problem !== null) return bad(`Invalid channel: ${problem}`)
  }

  if (typeof data !== 'string') return bad('data must be a string (JSON-encode objects before sending)')
  const size = utf8Length(data)
  if (size > MAX_EVENT_DATA_BYTES) {
    return tooLarge(`Event data is ${size} bytes; the limit is ${MAX_EVENT_DATA_BYTES} bytes (10 KB)`)
  }

  if (socketId !== undefined && socketId !== null && !isValidSocketId(socketId)) {
    return bad(`Invalid socket_id '${String(socketId)}': expected digits.digits`)
  }
  const parsedInfo = parseInfo(info, ['user_count', 'subscription_count'])
  if (!parsedInfo.ok) return parsedInfo

  return {
    ok: true,
    value: {
      name: name as string,
      data,
      channels: [...new Set(list)],
      socketId: typeof socketId === 'string' ? socketId : undefined,
      info: parsedInfo.value,
    },
  }
}

export function parseBatch(raw: unknown): Parsed<TriggerEvent[]> {
  const body = BatchBody.safeParse(raw)
  if (!body.success) return bad('Expected a JSON object with a batch array')
  const batch = body.data.batch
  if (batch.length === 0) return bad('batch must contain at least one event')
  if (batch.length > MAX_EVENTS_PER_BATCH) {
    return tooLarge(`Batch has ${batch.length} events; at most ${MAX_EVENTS_PER_BATCH} are allowed per request`)
  }
  const events: TriggerEvent[] = []
  for (const [index, item] of batch.entries()) {
    const parsed = parseEvent(item, true)
    if (!parsed.ok) return { ...parsed, message: `batch[${index}]: ${parsed.message}` }
    events.push(parsed.value)
  }
  return { ok: true, value: events }
}
