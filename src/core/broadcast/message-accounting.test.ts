import { describe, expect, it } from 'vitest'
import { silentLogger } from '../logger.ts'
import { BudgetGate } from './budget.ts'
import { MessageAccounting, type PricedOutgoing, type TickSpend } from './message-accounting.ts'
import { RoomChannels } from './room-channels.ts'
import { SpendLedger } from './spend-ledger.ts'

const NOON = Date.UTC(2026, 2, 4, 12)
const event = (channel: string, recipients: number, first = false): PricedOutgoing => {
  const outgoing: PricedOutgoing = { channel, name: 'occupancy', data: '{}', recipients, accepted: () => {} }
  if (first) outgoing.first = true
  return outgoing
}

describe('MessageAccounting', () => {
  it('bills each accepted event as Pusher does, with reported subscriber counts over the estimate', () => {
    const accounts = new MessageAccounting(SpendLedger.inMemory(silentLogger), NOON)
    const channels = new RoomChannels('{room}')
    const spend: TickSpend = { at: NOON, estimated: 0, accepted: 0, actual: 0 }
    // Two events at 1 message to publish: 10 and 20 recipients estimated, the server reports 25 for the second.
    accounts.accepted(NOON, [event('a', 10, true), event('b', 20)], [null, 25], spend, 1, channels)
    expect(spend).toEqual({ at: NOON, estimated: 0, accepted: 32, actual: 37 })
    expect(channels.subscribersOf('b', 20)).toBe(25)
    accounts.settle(NOON, spend, null)
    const status = accounts.status(NOON)
    expect(status).toMatchObject({ messagesToday: 37, eventsToday: 2, requestsToday: 1, eventsPerRequest: 2 })
    // The first value (11 messages) is left out of the steady rate a day is projected from.
    expect(accounts.steadyPerSecond(NOON)).toBe(26)
    expect(accounts.sessionMessages).toBe(37)
  })

  it('under a budget, reserves before sending, then gives back what did not go and pays what cost more', () => {
    const ledger = SpendLedger.inMemory(silentLogger)
    const accounts = new MessageAccounting(ledger, NOON)
    const gate = new BudgetGate(1_000_000)
    gate.refill(NOON, 0, 0)
    const full = gate.available
    const spend: TickSpend = { at: NOON, estimated: 100, accepted: 0, actual: 0 }
    gate.pay(100)
    accounts.reserve(NOON, 100)
    expect(accounts.spentToday(NOON)).toBe(100)
    // Only one event of 40 (estimated) went, and it reached 45.
    accounts.accepted(NOON, [event('a', 39)], [44], spend, 1, new RoomChannels('{room}'))
    accounts.settle(NOON, spend, gate)
    expect(accounts.spentToday(NOON)).toBe(45)
    expect(gate.available).toBe(full - 45)
  })

  it('counts vanilla presence from the first sync seen as it happened, and cached summaries handed to newcomers', () => {
    const accounts = new MessageAccounting(SpendLedger.inMemory(silentLogger), NOON)
    expect(accounts.status(NOON).vanillaPresence).toEqual({ today: 0, projectedPerDay: null })
    accounts.vanillaKnown()
    accounts.observed(NOON, 120, 3)
    const status = accounts.status(NOON)
    expect(status.vanillaPresence).toEqual({ today: 120, projectedPerDay: 120 * 86_400 })
    expect(status.messagesToday).toBe(3)
    expect(status.deliveriesPerSecond).toBe(3)
    expect(accounts.sessionMessages).toBe(3)
  })
})
