import { describe, expect, it } from 'vitest'
import { RequestAbortedError } from '../channels/client.ts'
import { ChannelsApiError, failureFromStatus } from '../channels/errors.ts'
import type { BatchEvent } from '../channels/client.ts'
import { deliver, type Outgoing, reportedCounts, toBatches } from './delivery.ts'

function events(count: number, accepted: string[] = []): Outgoing[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: `room-${i}`,
    name: 'occupancy',
    data: `{"n":${i}}`,
    recipients: 2,
    accepted: () => accepted.push(`room-${i}`),
  }))
}

const okAnswer = '{}'
const refusal = (status: number, body: string) => new ChannelsApiError(failureFromStatus(status, body, 'http://x'))

function sink(answer: (batch: readonly BatchEvent[], call: number) => Promise<string>) {
  const calls: (readonly BatchEvent[])[] = []
  let inFlight = 0
  let maxInFlight = 0
  return {
    calls,
    get maxInFlight() {
      return maxInFlight
    },
    triggerBatch: async (batch: readonly BatchEvent[]) => {
      calls.push(batch)
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        await new Promise((resolve) => setTimeout(resolve, 1))
        return await answer(batch, calls.length)
      } finally {
        inFlight--
      }
    },
  }
}

const base = { endpoint: 'http://x', timeoutMs: 1000, active: () => true, onAccepted: () => {} }

describe('toBatches', () => {
  it('cuts at 10 events per batch', () => {
    expect(toBatches(Array.from({ length: 23 }, (_, i) => i)).map((batch) => batch.length)).toEqual([10, 10, 3])
    expect(toBatches([])).toEqual([])
  })
})

describe('deliver', () => {
  it('sends every event in batches of at most 10 with bounded concurrency', async () => {
    const accepted: string[] = []
    const fake = sink(async () => okAnswer)
    const outcome = await deliver(events(95, accepted), { ...base, sink: fake, concurrency: 3 })
    expect(outcome).toEqual({ requests: 10, events: 95, failure: null })
    expect(fake.calls.every((batch) => batch.length <= 10)).toBe(true)
    expect(fake.maxInFlight).toBe(3)
    expect(accepted.sort()).toEqual(Array.from({ length: 95 }, (_, i) => `room-${i}`).sort())
  })

  it('stops at the first failure and confirms only what the server accepted', async () => {
    const accepted: string[] = []
    const fake = sink(async (_batch, call) => {
      if (call === 2) throw refusal(429, 'Too many requests')
      return okAnswer
    })
    const outcome = await deliver(events(50, accepted), { ...base, sink: fake, concurrency: 1 })
    expect(outcome.failure).toMatchObject({ kind: 'rate-limited', status: 429, retryable: true })
    expect(outcome.requests).toBe(2)
    expect(accepted).toHaveLength(10)
  })

  it('treats an error reported inside an HTTP 200 answer as the failure it is', async () => {
    const fake = sink(async () => '{"error":"Invalid channel","code":400}')
    const outcome = await deliver(events(3), { ...base, sink: fake, concurrency: 2 })
    expect(outcome.failure).toMatchObject({ kind: 'bad-request', status: 400 })
    expect(outcome.failure?.message).toMatch(/inside an HTTP 200/)
    expect(outcome.events).toBe(0)
  })

  it('sends nothing more once switched off', async () => {
    let active = true
    const fake = sink(async () => {
      active = false
      return okAnswer
    })
    const outcome = await deliver(events(100), { ...base, sink: fake, concurrency: 1, active: () => active })
    expect(outcome.requests).toBe(1)
  })

  it('gives up a request in flight when aborted, without calling it a failure', async () => {
    const controller = new AbortController()
    const fake = sink(
      () =>
        new Promise<string>((_resolve, reject) =>
          controller.signal.addEventListener('abort', () => reject(new RequestAbortedError())),
        ),
    )
    const delivering = deliver(events(30), { ...base, sink: fake, concurrency: 2, signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()
    const outcome = await delivering
    expect(outcome).toEqual({ requests: 2, events: 0, failure: null })
  })

  it('sends fewer events per request when asked to', async () => {
    const fake = sink(async () => okAnswer)
    const outcome = await deliver(events(12), { ...base, sink: fake, concurrency: 1, batchSize: 3 })
    expect(fake.calls.map((batch) => batch.length)).toEqual([3, 3, 3, 3])
    expect(outcome.events).toBe(12)
  })
})

describe('deliver after a 413', () => {
  const sized = (bytes: number[]): Outgoing[] =>
    bytes.map((size, i) => ({
      channel: `room-${i}`,
      name: 'occupancy',
      data: 'x'.repeat(size),
      recipients: 1,
      accepted: () => {},
    }))

  it('finds a limit per request: the largest event alone is accepted', async () => {
    // A server that refuses requests over 1,000 bytes of data, whatever the size of each event.
    const fake = sink(async (batch) => {
      if (batch.reduce((sum, event) => sum + event.data.length, 0) > 1000) throw refusal(413, 'Request too large')
      return okAnswer
    })
    const outcome = await deliver(sized([300, 400, 250, 200]), { ...base, sink: fake, concurrency: 1 })
    expect(outcome.sizeLimit).toEqual({ scope: 'request', events: 4, bytes: 1150 })
    expect(fake.calls.map((batch) => batch.length)).toEqual([4, 1])
    expect(fake.calls[1]?.[0]?.channel).toBe('room-1')
    expect(outcome.events).toBe(1)
    expect(outcome.failure).toMatchObject({ kind: 'too-large', status: 413 })
    expect(outcome.failure?.message).toMatch(/limit is on the size of a request/)
    expect(outcome.failure?.hint).toMatch(/fewer events per request/)
  })

  it('finds a limit per event: the largest event alone is refused too', async () => {
    const fake = sink(async (batch) => {
      if (batch.some((event) => event.data.length > 250)) throw refusal(413, 'Event too large')
      return okAnswer
    })
    const outcome = await deliver(sized([200, 300, 100]), { ...base, sink: fake, concurrency: 1 })
    expect(outcome.sizeLimit).toEqual({ scope: 'event', events: 3, bytes: 300 })
    expect(fake.calls.map((batch) => batch.length)).toEqual([3, 1])
    expect(outcome.events).toBe(0)
    expect(outcome.failure?.hint).toMatch(/halves the size of each event/)
  })

  it('a single event refused is a limit per event, without a second request', async () => {
    const fake = sink(async () => {
      throw refusal(413, 'Event too large')
    })
    const outcome = await deliver(sized([500]), { ...base, sink: fake, concurrency: 1 })
    expect(outcome.sizeLimit).toEqual({ scope: 'event', events: 1, bytes: 500 })
    expect(fake.calls).toHaveLength(1)
  })
})

describe('reportedCounts', () => {
  it('reads the subscriber counts of a batch answer in event order, null where none or malformed', () => {
    expect(reportedCounts('{"batch":[{"subscription_count":51},{},{"subscription_count":-1}]}', 3)).toEqual([
      51,
      null,
      null,
    ])
    expect(reportedCounts('{}', 2)).toEqual([])
    expect(reportedCounts('not json subscription_count', 1)).toEqual([null])
  })
})
