import { describe, expect, it } from 'vitest'
import { type BatchEvent, deliver, type Outgoing, toBatches } from './delivery.ts'

function events(count: number, accepted: string[] = []): Outgoing[] {
  return Array.from({ length: count }, (_, i) => ({
    channel: `room-${i}`,
    name: 'occupancy',
    data: `{"n":${i}}`,
    recipients: 2,
    accepted: () => accepted.push(`room-${i}`),
  }))
}

const okAnswer = { text: async () => '{}' }

function sink(answer: (batch: BatchEvent[], call: number) => Promise<{ text(): Promise<string> }>) {
  const calls: BatchEvent[][] = []
  let inFlight = 0
  let maxInFlight = 0
  return {
    calls,
    get maxInFlight() {
      return maxInFlight
    },
    triggerBatch: async (batch: BatchEvent[]) => {
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
      if (call === 2)
        throw Object.assign(new Error('Unexpected status code 429'), { status: 429, body: 'Too many requests' })
      return okAnswer
    })
    const outcome = await deliver(events(50, accepted), { ...base, sink: fake, concurrency: 1 })
    expect(outcome.failure).toMatchObject({ kind: 'rate-limited', status: 429, retryable: true })
    expect(outcome.requests).toBe(2)
    expect(accepted).toHaveLength(10)
  })

  it('treats an error reported inside an HTTP 200 answer as the failure it is', async () => {
    const fake = sink(async () => ({ text: async () => '{"error":"Invalid channel","code":400}' }))
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
})
