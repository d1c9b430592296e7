import { describe, expect, it } from 'vitest'
import { EVENT_DATA_BUDGET_BYTES, MAX_EVENTS_PER_BATCH } from '../../shared/pusher-limits.ts'
import { failureFromStatus } from '../channels/errors.ts'
import { type Logger, silentLogger } from '../logger.ts'
import { SendLimits } from './send-limits.ts'

const NOW = 1_000_000
const tooLarge = failureFromStatus(413, 'too large', 'http://fake')
const serverError = failureFromStatus(500, 'broken', 'http://fake')

describe('SendLimits', () => {
  it('sends fewer events per request when a server limits the request, smaller events when it limits the event', () => {
    const limits = new SendLimits(silentLogger, () => 0.5)
    expect([limits.batchSize, limits.eventBytes]).toEqual([MAX_EVENTS_PER_BATCH, EVENT_DATA_BUDGET_BYTES])
    const failed = limits.record(
      { requests: 1, events: 10, failure: tooLarge, sizeLimit: { scope: 'request', events: 6, bytes: 9000 } },
      () => NOW,
      1000,
    )
    expect([failed, limits.batchSize, limits.mayTry(NOW)]).toEqual([true, 3, true])
    for (let i = 0; i < 10; i++)
      limits.record(
        { requests: 1, events: 1, failure: tooLarge, sizeLimit: { scope: 'event', events: 1, bytes: 5000 } },
        () => NOW,
        1000,
      )
    // Halved each time, never under 1,000 bytes.
    expect(limits.eventBytes).toBe(1000)
    expect(limits.lastError()).toMatchObject({ kind: 'too-large', attempts: 11, at: NOW })
  })

  it('backs off after any other failure, longer each time, and forgets it all on success', () => {
    const warnings: string[] = []
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) }
    const limits = new SendLimits(logger, () => 0.5)
    limits.record({ requests: 1, events: 1, failure: serverError }, () => NOW, 1000)
    expect(limits.mayTry(NOW)).toBe(false)
    expect(warnings[0]).toMatch(/^broadcast failed \(/)
    let first = NOW
    while (!limits.mayTry(first)) first += 100
    limits.record({ requests: 1, events: 1, failure: serverError }, () => NOW, 1000)
    let second = NOW
    while (!limits.mayTry(second)) second += 100
    expect(second).toBeGreaterThan(first)
    limits.forgetBackoff()
    expect(limits.mayTry(NOW)).toBe(true)
    expect(limits.record({ requests: 1, events: 1, failure: null }, () => NOW, 1000)).toBe(false)
    expect(limits.lastError()).toBeNull()
  })
})
