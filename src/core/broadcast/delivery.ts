// Sends events with `POST /batch_events`: at most 10 per request, a bounded number of requests in
// flight, each batch's events confirmed only when the server accepted it. The first failure stops the
// rest of the tick: the next tick (after backoff) sends the latest state instead.
import { Buffer } from 'node:buffer'
import { MAX_EVENTS_PER_BATCH } from '../../shared/pusher-limits.ts'
import { type BatchEvent, RequestAbortedError, type RequestOptions } from '../channels/client.ts'
import { ChannelsApiError, failureFromNetworkError, failureFromStatus, type Failure } from '../channels/errors.ts'

/** Where batches go: the Channels client (a fake in unit tests). Resolves with the answer's body. */
export interface BatchSink {
  triggerBatch(batch: readonly BatchEvent[], options: RequestOptions): Promise<string>
}

export interface Outgoing extends BatchEvent {
  /** Estimated deliveries: the room channel's subscribers for a summary, 1 for a roster. */
  recipients: number
  /** Called once the server accepted the event, with the subscriber count it reported (null: none). */
  accepted(reported: number | null): void
}

export interface DeliveryOptions {
  sink: BatchSink
  concurrency: number
  /** Events per request, at most Pusher's 10 (fewer once a server's request limit is known). */
  batchSize?: number
  endpoint: string
  timeoutMs: number
  /** Checked before each request: false stops sending (switched off). */
  active(): boolean
  /** Aborted when switched off: requests in flight are given up at once. */
  signal?: AbortSignal
  /** After each accepted request, with each event's reported subscriber count (null where none). */
  onAccepted(events: readonly Outgoing[], reported: ReadonlyArray<number | null>): void
}

/**
 * What a 413 turned out to mean. A request of several events refused as too large is followed by its
 * largest event alone: accepted, the server limits the request (send fewer events per request);
 * refused too, it limits each event (send smaller events).
 */
export interface SizeLimit {
  scope: 'request' | 'event'
  /** Events in the refused request. */
  events: number
  /** Bytes of event data in the refused request (for `request`), or of the refused event (for `event`). */
  bytes: number
}

export interface DeliveryOutcome {
  requests: number
  events: number
  failure: Failure | null
  /** Set when the failure was a 413 (too large). */
  sizeLimit?: SizeLimit
}

export function toBatches<T>(events: readonly T[], size = MAX_EVENTS_PER_BATCH): T[][] {
  const batches: T[][] = []
  for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size))
  return batches
}

interface SdkRequestError {
  status?: number
  body?: string
  error?: unknown
}

const BROADCAST_HINTS: Partial<Record<Failure['kind'], string>> = {
  'rate-limited':
    'Headcount backs off and then sends the latest state; a longer broadcast interval sends fewer requests',
  'too-large':
    'Headcount halves the size of each event and sends the latest state again; the server may have a smaller limit than Pusher’s 10 KB',
  truncated: 'Headcount backs off and then sends the latest state again',
  'bad-request': 'Check the broadcast channel template and event name',
  'over-quota':
    'The app is over its message quota: raise the plan, or broadcast less often (a longer interval or heartbeat)',
}

/** A failed trigger in an operator's words. */
export function classifySendError(error: unknown, endpoint: string, timeoutMs: number): Failure {
  let failure: Failure
  if (error instanceof ChannelsApiError) failure = error.failure
  else {
    const sdkError = error as SdkRequestError
    failure =
      typeof sdkError?.status === 'number'
        ? failureFromStatus(sdkError.status, sdkError.body, endpoint)
        : failureFromNetworkError(sdkError?.error ?? error, endpoint, timeoutMs)
  }
  const hint = BROADCAST_HINTS[failure.kind]
  return hint === undefined ? failure : { ...failure, hint }
}

/** No event of a request had a subscriber count reported (the usual answer, `{}`): shared, never written. */
const NONE_REPORTED: ReadonlyArray<number | null> = Object.freeze([])

/**
 * The subscriber counts an answer to events sent with `info=subscription_count` reports, in event order
 * (`{"batch":[{"subscription_count":51},{}]}`); null (or nothing) for each event without one.
 */
export function reportedCounts(text: string, events: number): ReadonlyArray<number | null> {
  if (!text.includes('subscription_count')) return NONE_REPORTED
  const counts: Array<number | null> = new Array<number | null>(events).fill(null)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return counts
  }
  const batch = (body as { batch?: unknown } | null)?.batch
  if (!Array.isArray(batch)) return counts
  for (let i = 0; i < events && i < batch.length; i++) {
    const count = (batch[i] as { subscription_count?: unknown } | null)?.subscription_count
    if (Number.isSafeInteger(count) && (count as number) >= 0) counts[i] = count as number
  }
  return counts
}

/** Some compatible servers answer errors with HTTP 200 and `{"error", "code"}`: that is a failure too. */
function checkAnswer(text: string, endpoint: string): void {
  if (!text.includes('"error"')) return
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return
  }
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const code = (body as { code?: unknown }).code
    const failure = failureFromStatus(
      typeof code === 'number' ? code : 500,
      String((body as { error: unknown }).error),
      endpoint,
    )
    throw new ChannelsApiError({ ...failure, message: `${failure.message} (reported inside an HTTP 200 answer)` })
  }
}

const dataBytes = (events: readonly BatchEvent[]): number =>
  events.reduce((sum, event) => sum + Buffer.byteLength(event.data, 'utf8'), 0)

export async function deliver(events: readonly Outgoing[], options: DeliveryOptions): Promise<DeliveryOutcome> {
  const batches = toBatches(
    events,
    Math.max(1, Math.min(MAX_EVENTS_PER_BATCH, options.batchSize ?? MAX_EVENTS_PER_BATCH)),
  )
  const outcome: DeliveryOutcome = { requests: 0, events: 0, failure: null }
  const send = async (batch: readonly Outgoing[]): Promise<void> => {
    outcome.requests++
    const answer = await options.sink.triggerBatch(
      batch.map(({ channel, name, data, info }) =>
        info === undefined ? { channel, name, data } : { channel, name, data, info },
      ),
      { signal: options.signal },
    )
    checkAnswer(answer, options.endpoint)
    outcome.events += batch.length
    const reported = reportedCounts(answer, batch.length)
    for (let index = 0; index < batch.length; index++) (batch[index] as Outgoing).accepted(reported[index] ?? null)
    options.onAccepted(batch, reported)
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (outcome.failure === null && next < batches.length && options.active()) {
      const batch = batches[next++] as Outgoing[]
      try {
        await send(batch)
      } catch (error) {
        // Switched off mid-request: nothing failed, the tick just ends.
        if (error instanceof RequestAbortedError) return
        if (outcome.failure !== null) return
        outcome.failure = classifySendError(error, options.endpoint, options.timeoutMs)
        if (outcome.failure.kind === 'too-large') await findSizeLimit(batch, outcome, send, options.endpoint)
        return
      }
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency, batches.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return outcome
}

/** After a 413: is the server's limit per request or per event? (See SizeLimit.) */
async function findSizeLimit(
  refused: readonly Outgoing[],
  outcome: DeliveryOutcome,
  send: (batch: readonly Outgoing[]) => Promise<void>,
  endpoint: string,
): Promise<void> {
  const requestBytes = dataBytes(refused)
  const largest = refused.reduce((a, b) => (Buffer.byteLength(b.data) > Buffer.byteLength(a.data) ? b : a))
  const largestBytes = Buffer.byteLength(largest.data, 'utf8')
  if (refused.length > 1) {
    try {
      await send([largest])
      outcome.sizeLimit = { scope: 'request', events: refused.length, bytes: requestBytes }
      const failure = outcome.failure as Failure
      outcome.failure = {
        ...failure,
        message: `The server refused a request of ${refused.length} events (${requestBytes.toLocaleString('en-US')} bytes of data) as too large, but accepted its largest event alone: its limit is on the size of a request`,
        hint: 'Headcount sends fewer events per request from now on; the events keep their size',
      }
      return
    } catch (error) {
      if (error instanceof RequestAbortedError) return
      const probe = classifySendError(error, endpoint, 0)
      // Anything but another 413 says nothing about the limit: leave the size of events alone.
      if (probe.kind !== 'too-large') return
    }
  }
  outcome.sizeLimit = { scope: 'event', events: refused.length, bytes: largestBytes }
}
