// Sends events with `POST /batch_events`: at most 10 per request, a bounded number of requests in
// flight, each batch's events confirmed only when the server accepted it. The first failure stops the
// rest of the tick: the next tick (after backoff) sends the latest state instead.
import { MAX_EVENTS_PER_BATCH } from '../../shared/broadcast.ts'
import { ChannelsApiError, failureFromNetworkError, failureFromStatus, type Failure } from '../channels/errors.ts'

export interface BatchEvent {
  channel: string
  name: string
  data: string
}

/** The part of the `pusher` SDK the broadcaster uses. */
export interface BatchSink {
  triggerBatch(batch: BatchEvent[]): Promise<{ text(): Promise<string> }>
}

export interface Outgoing extends BatchEvent {
  /** Estimated deliveries: the room's participants for a summary, 1 for a roster. */
  recipients: number
  /** Called once the server accepted the event. */
  accepted(): void
}

export interface DeliveryOptions {
  sink: BatchSink
  concurrency: number
  endpoint: string
  timeoutMs: number
  /** Checked before each request: false stops sending (switched off). */
  active(): boolean
  /** After each accepted request. */
  onAccepted(events: readonly Outgoing[]): void
}

export interface DeliveryOutcome {
  requests: number
  events: number
  failure: Failure | null
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

/** Some compatible servers answer errors with HTTP 200 and `{"error", "code"}`: that is a failure too. */
async function checkAnswer(response: { text(): Promise<string> }, endpoint: string): Promise<void> {
  const text = await response.text()
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

export async function deliver(events: readonly Outgoing[], options: DeliveryOptions): Promise<DeliveryOutcome> {
  const batches = toBatches(events)
  const outcome: DeliveryOutcome = { requests: 0, events: 0, failure: null }
  let next = 0
  const worker = async (): Promise<void> => {
    while (outcome.failure === null && next < batches.length && options.active()) {
      const batch = batches[next++] as Outgoing[]
      try {
        outcome.requests++
        const response = await options.sink.triggerBatch(
          batch.map(({ channel, name, data }) => ({ channel, name, data })),
        )
        await checkAnswer(response, options.endpoint)
      } catch (error) {
        outcome.failure ??= classifySendError(error, options.endpoint, options.timeoutMs)
        return
      }
      outcome.events += batch.length
      for (const event of batch) event.accepted()
      options.onAccepted(batch)
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency, batches.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return outcome
}
