// The broadcaster under a message budget, through simulated days: rooms from a handful of people to
// 200,000, churning at random, some emptying and coming back, a restart in the middle of a day. Every
// event the fake server accepts is billed as Pusher bills it (one message, plus one per subscriber of the
// channel, who here are exactly the room's participants), and no UTC day may go over the budget.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type BroadcastSettings, DEFAULT_BROADCAST_SETTINGS, type RoomSummaryPayload } from '../../shared/broadcast.ts'
import { compileConvention } from '../../shared/naming.ts'
import { roundToFigures } from '../../shared/precision.ts'
import type { BatchEvent } from '../channels/client.ts'
import { silentLogger } from '../logger.ts'
import type { MembersPage, RoomSummary } from '../presence/types.ts'
import { DAY_MS, utcDayStart } from './budget.ts'
import { Broadcaster } from './broadcaster.ts'
import type { Marker } from './marker.ts'
import { SimulatedClock } from './simulated-clock.ts'
import { SpendLedger, spendLedgerPath } from './spend-ledger.ts'
import { seededRandom } from '../../shared/seeded-random.ts'

const INTERVAL_MS = 10_000
const BUDGET = 3_000_000
const dataDir = mkdtempSync(join(tmpdir(), 'headcount-budget-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const marker: Marker = {
  id: 'test',
  state: 'off',
  othersLive: [],
  othersNow: async () => [],
  hold() {},
  release() {},
}

interface Delivered {
  at: number
  payload: RoomSummaryPayload
  /** Subscribers of the channel when it was sent: the room's true count. */
  subscribers: number
}

describe('the broadcaster under a budget', () => {
  it('never spends more than the budget in a UTC day, rounds large rooms, keeps small ones exact, and catches up when the crowd settles', async () => {
    const random = seededRandom(7)
    const sizes = [3, 40, 99, 150, 900, 2_500, 12_000, 60_000, 200_000]
    const counts = new Map<string, number>(sizes.map((size, index) => [`room${index}`, size]))
    const summaries = (): RoomSummary[] =>
      [...counts]
        .filter(([, count]) => count > 0)
        .map(([room, count]) => ({
          room,
          count,
          groups: { red: Math.floor(count / 3), blue: count - Math.floor(count / 3) },
        }))
        .sort((a, b) => b.count - a.count)
    const start = utcDayStart(Date.UTC(2026, 2, 4)) + 6 * 3_600_000
    const clock = new SimulatedClock(start)
    const delivered: Delivered[] = []
    const spentByDay = new Map<number, number>()
    const sink = {
      triggerBatch(batch: readonly BatchEvent[]): Promise<string> {
        for (const event of batch) {
          const payload = JSON.parse(event.data) as RoomSummaryPayload
          const subscribers = counts.get(payload.room) ?? 0
          delivered.push({ at: clock.now, payload, subscribers })
          const day = utcDayStart(clock.now)
          spentByDay.set(day, (spentByDay.get(day) ?? 0) + 1 + subscribers)
        }
        return Promise.resolve('{}')
      },
    }
    const settings: BroadcastSettings = {
      ...DEFAULT_BROADCAST_SETTINGS,
      enabled: true,
      force: true,
      intervalMs: INTERVAL_MS,
      channelTemplate: 'private-{room}',
      budget: { messagesPerDay: BUDGET, plan: null },
    }
    const ledgerPath = spendLedgerPath(dataDir, 'p')
    const startBroadcaster = async (): Promise<Broadcaster> => {
      const broadcaster = new Broadcaster({
        presence: {
          rooms: summaries,
          room: (id) => summaries().find((summary) => summary.room === id),
          members: (): MembersPage => ({ total: 0, members: [] }),
        },
        sink,
        marker,
        convention: compileConvention({ kind: 'template', template: 'private-{room}-{user}' }),
        settings,
        graph: null,
        endpoint: 'http://fake',
        timeoutMs: 10_000,
        logger: silentLogger,
        onStatus: () => {},
        ledger: SpendLedger.open(ledgerPath, silentLogger, 'the app', clock.now),
        now: () => clock.now,
        random,
        timers: clock,
      })
      broadcaster.observe({
        at: clock.now,
        channels: 0,
        unmatched: 0,
        joins: [],
        leaves: [],
        rooms: summaries(),
        total: 0,
      })
      await broadcaster.configure(settings)
      return broadcaster
    }

    let broadcaster = await startBroadcaster()
    const end = start + 2 * DAY_MS
    const restartAt = start + 20 * 3_600_000
    const settleFrom = end - 3 * 3_600_000
    let restarted = false
    let maxLag = 0
    for (let at = start + INTERVAL_MS; at <= end; at += INTERVAL_MS) {
      const joins: Array<{ room: string; group: string; user: string }> = []
      const leaves: Array<{ room: string; group: string; user: string }> = []
      if (at < settleFrom) {
        for (const [room, count] of counts) {
          // About 1 % of the room a minute each way, and now and then a crowd arriving or leaving at once.
          const expected = Math.max(0.5, (count * 0.01 * INTERVAL_MS) / 60_000)
          let come = Math.round(expected * 2 * random())
          let go = Math.min(count, Math.round(expected * 2 * random()))
          if (random() < 0.002) come += Math.round(count * 0.3)
          if (random() < 0.001) go = count
          // An empty room fills again after a while.
          if (count === 0 && random() < 0.02) come = 1 + Math.round(random() * (sizes[Number(room.slice(4))] ?? 0))
          counts.set(room, count + come - go)
          for (let i = 0; i < Math.min(come, 50); i++) joins.push({ room, group: 'red', user: `j${at}-${i}` })
          for (let i = 0; i < Math.min(go, 50); i++) leaves.push({ room, group: 'red', user: `l${at}-${i}` })
        }
      }
      broadcaster.observe({ at, channels: 0, unmatched: 0, joins, leaves, rooms: summaries(), total: 0 })
      await clock.advanceTo(at)
      if (!restarted && at >= restartAt) {
        restarted = true
        await broadcaster.close()
        broadcaster = await startBroadcaster()
      }
      if (at > settleFrom + 2 * 3_600_000) {
        // Once the crowd has been still for two hours, participants see every room at its precision.
        for (const summary of summaries()) {
          const last = delivered.findLast((entry) => entry.payload.room === summary.room)
          expect(last, summary.room).toBeDefined()
          const precision = last?.payload.precision ?? null
          const expected = precision === null ? summary.count : roundToFigures(summary.count, precision)
          maxLag = Math.max(maxLag, Math.abs((last?.payload.count ?? 0) - expected))
        }
      }
    }
    await broadcaster.close()

    expect(restarted).toBe(true)
    expect(spentByDay.size).toBe(3)
    for (const [day, spent] of spentByDay) expect(spent, new Date(day).toISOString()).toBeLessThanOrEqual(BUDGET)
    // The budget was what held the broadcaster back: most of it was spent on the full day.
    expect(spentByDay.get(utcDayStart(start) + DAY_MS)).toBeGreaterThan(BUDGET * 0.5)
    expect(maxLag).toBe(0)

    for (const { payload, subscribers } of delivered) {
      if (payload.count === 0) expect(payload.approx).toBeUndefined()
      if (payload.precision !== undefined) {
        expect(payload.approx).toBe(true)
        expect(payload.count).toBe(roundToFigures(payload.count, payload.precision))
        for (const group of Object.values(payload.groups)) expect(group).toBe(roundToFigures(group, payload.precision))
      }
      // Rooms under 100 are always exact.
      if (subscribers < 100 && payload.count < 100) expect(payload.approx).toBeUndefined()
    }
    expect(delivered.some((entry) => entry.payload.approx === true && entry.subscribers >= 60_000)).toBe(true)
    // Emptied rooms were told 0, exactly.
    expect(delivered.some((entry) => entry.payload.count === 0 && entry.payload.approx === undefined)).toBe(true)
  }, 600_000)
})
