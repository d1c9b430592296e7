import { describe, expect, it } from 'vitest'
import type { RoomSummary } from '../presence/types.ts'
import { roomCosts } from './budget-queue.ts'
import { DryRun, type DryTick } from './dry-run.ts'
import { RoomChannels } from './room-channels.ts'
import { SimulatedClock } from './simulated-clock.ts'

const NOON = Date.UTC(2026, 2, 4, 12)

function input(rooms: RoomSummary[], budget: { messagesPerDay: number; plan: null } | null = null): DryTick {
  const channels = new RoomChannels('private-{room}')
  return {
    rooms,
    costs: roomCosts(rooms, budget, channels, 1),
    figures: () => null,
    channels,
    perEvent: 1,
    heartbeatMs: 10_000,
    intervalMs: 1000,
    ts: NOON,
  }
}

describe('DryRun', () => {
  it('counts what would be sent, leaving first values and channels Pusher would refuse out of the rate', () => {
    const dry = new DryRun(() => 0.5, NOON, new SimulatedClock(NOON))
    const rooms = [
      { room: 'hall', count: 99, groups: {} },
      { room: 'bad room', count: 5, groups: {} },
    ]
    // First values: counted for nothing in the steady rate.
    dry.tick(NOON, input(rooms))
    expect(dry.perSecond(NOON)).toBe(0)
    // The hall changes: one summary to 100 people and the event itself.
    dry.tick(NOON + 1000, input([{ room: 'hall', count: 100, groups: {} }, rooms[1] as RoomSummary]))
    expect(dry.perSecond(NOON + 1000)).toBe(101 / 1)
  })

  it('under a budget, counts only what its own gate could pay', () => {
    const dry = new DryRun(() => 0.5, NOON, new SimulatedClock(NOON))
    const budget = { messagesPerDay: 1_000, plan: null }
    dry.setBudget(budget, null)
    dry.tick(NOON, input([{ room: 'hall', count: 10, groups: {} }], budget))
    // 11 messages a change; the bucket holds at least 1/96 of the day (about 10): nothing more fits at once.
    dry.tick(NOON + 1000, input([{ room: 'hall', count: 11, groups: {} }], budget))
    dry.tick(NOON + 2000, input([{ room: 'hall', count: 12, groups: {} }], budget))
    expect(dry.perSecond(NOON + 2000)).toBeLessThan(12 / 2)
    // Without the budget the same changes are all counted.
    const free = new DryRun(() => 0.5, NOON, new SimulatedClock(NOON))
    free.tick(NOON, input([{ room: 'hall', count: 10, groups: {} }]))
    free.tick(NOON + 1000, input([{ room: 'hall', count: 11, groups: {} }]))
    free.tick(NOON + 2000, input([{ room: 'hall', count: 12, groups: {} }]))
    expect(free.perSecond(NOON + 2000)).toBe((12 + 13) / 2)
  })

  it('runs a tick after the interval unless stopped first', () => {
    const due: Array<{ callback: () => void; ms: number; cleared: boolean }> = []
    const timers = {
      setTimeout: (callback: () => void, ms: number) => {
        const timer = { callback, ms, cleared: false }
        due.push(timer)
        return timer
      },
      clearTimeout: (handle: unknown) => void ((handle as { cleared: boolean }).cleared = true),
    }
    const dry = new DryRun(() => 0.5, NOON, timers)
    let ticks = 0
    dry.after(1000, () => ticks++)
    expect([dry.scheduled, due[0]?.ms]).toEqual([true, 1000])
    due[0]?.callback()
    expect([ticks, dry.scheduled]).toEqual([1, false])
    dry.after(1000, () => ticks++)
    dry.stop()
    expect([dry.scheduled, due[1]?.cleared]).toEqual([false, true])
  })
})
