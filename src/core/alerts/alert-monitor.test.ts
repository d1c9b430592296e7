import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AlertRuleSchema, type AlertEvent, type AlertRule } from '../../shared/alerts.ts'
import { HistoryStore } from '../history/history-store.ts'
import { silentLogger } from '../logger.ts'
import { AlertMonitor } from './alert-monitor.ts'

let dir: string
let path: string
const stores: HistoryStore[] = []
const monitors: AlertMonitor[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-alerts-'))
  path = join(dir, 'history.sqlite')
})
afterEach(async () => {
  for (const monitor of monitors.splice(0)) await monitor.stop()
  for (const store of stores.splice(0)) await store.close().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

const lobbyAbove100: AlertRule = AlertRuleSchema.parse({ id: 'big', kind: 'room-above', room: 'lobby', people: 100 })

function start(rules: AlertRule[], now: () => number = () => 0) {
  const history = HistoryStore.open(path)
  stores.push(history)
  const events: AlertEvent[] = []
  const monitor = new AlertMonitor({
    rules,
    history,
    emit: (event) => events.push(event),
    logger: silentLogger,
    now,
    retentionDays: () => 90,
    checkEveryMs: 60_000,
  })
  monitors.push(monitor)
  monitor.start()
  return { history, monitor, events }
}

const lobby = (at: number, count: number) => ({ at, changed: [{ room: 'lobby', count, groups: {} }], removed: [] })

describe('the alert monitor', () => {
  it('stores a firing before telling anyone, and writes its resolution into the same entry', async () => {
    const { history, monitor, events } = start([lobbyAbove100])
    monitor.observeTick(lobby(1000, 80))
    monitor.observeTick(lobby(2000, 120))
    await monitor.settled()
    expect(events).toEqual([
      {
        change: 'fired',
        entry: {
          id: 1,
          ruleId: 'big',
          kind: 'room-above',
          rule: 'lobby above 100 people',
          room: 'lobby',
          firedAt: 2000,
          message: 'lobby has 120 people, above 100',
          resolvedAt: null,
          resolution: null,
        },
      },
    ])
    expect(history.alertEntries(10)).toEqual([events[0]?.entry])
    monitor.observeTick(lobby(3000, 40))
    await monitor.settled()
    expect(events[1]).toEqual({
      change: 'resolved',
      entry: { ...events[0]?.entry, resolvedAt: 3000, resolution: 'lobby is down to 40 people' },
    })
    expect(history.alertEntries(10)).toEqual([events[1]?.entry])
    expect(history.openAlerts()).toEqual([])
  })

  it('takes over an alert a stop left open: no second notification while still true, resolved when not', async () => {
    const first = start([lobbyAbove100])
    first.monitor.observeTick(lobby(1000, 150))
    await first.monitor.stop()
    await first.history.close()
    expect(first.events.map((event) => event.change)).toEqual(['fired'])

    const second = start([lobbyAbove100])
    second.monitor.observeTick(lobby(5000, 160))
    await second.monitor.settled()
    expect(second.events).toEqual([])
    expect(second.history.openAlerts().map((entry) => entry.id)).toEqual([1])
    second.monitor.observeTick(lobby(6000, 10))
    await second.monitor.settled()
    expect(second.events.map((event) => [event.change, event.entry.id, event.entry.resolution])).toEqual([
      ['resolved', 1, 'lobby is down to 10 people'],
    ])
  })

  it('resolves at start the alerts of a rule removed meanwhile', async () => {
    const first = start([lobbyAbove100])
    first.monitor.observeTick(lobby(1000, 150))
    await first.monitor.stop()
    await first.history.close()
    const second = start([], () => 9000)
    await second.monitor.settled()
    expect(second.events).toMatchObject([
      { change: 'resolved', entry: { id: 1, resolvedAt: 9000, resolution: 'The rule was removed' } },
    ])
  })

  it('applies new rules at once', async () => {
    const { monitor, events } = start([], () => 4000)
    monitor.observeTick(lobby(1000, 150))
    monitor.setRules([lobbyAbove100])
    await monitor.settled()
    expect(events).toMatchObject([
      { change: 'fired', entry: { firedAt: 4000, message: 'lobby has 150 people, above 100' } },
    ])
  })

  it('forgets resolved alerts older than the retention, never open ones', async () => {
    const stageAbove100 = AlertRuleSchema.parse({ id: 'other', kind: 'room-above', room: 'stage', people: 100 })
    const { history, monitor } = start([lobbyAbove100, stageAbove100])
    monitor.observeTick(lobby(1000, 150))
    monitor.observeTick({ at: 1000, changed: [{ room: 'stage', count: 150, groups: {} }], removed: [] })
    monitor.observeTick(lobby(2000, 10))
    await monitor.settled()
    expect(await history.pruneAlertLog(2001)).toBe(1)
    expect(history.alertEntries(10).map((entry) => entry.room)).toEqual(['stage'])
  })
})

describe('the alert log in a history from before alerts', () => {
  it('is added to the file, whose data reads as before', async () => {
    const old = HistoryStore.open(path)
    await old.recordTick({
      at: 1000,
      rooms: [{ room: 'lobby', count: 3, groups: {} }],
      joins: [],
      leaves: [],
      total: 3,
      channels: 3,
      unmatched: 0,
    })
    await old.close()
    // Make it the file the Headcount before alerts wrote: schema 2 (gap causes, events), no alert log.
    const db = new DatabaseSync(path)
    db.exec('DROP TABLE alert_log')
    db.exec('DELETE FROM schema_migrations WHERE version > 2')
    db.exec('PRAGMA user_version = 2')
    db.close()

    const { history, monitor, events } = start([lobbyAbove100])
    expect(history.rooms()).toMatchObject([{ room: 'lobby', count: 3 }])
    expect(history.alertEntries(10)).toEqual([])
    monitor.observeTick(lobby(2000, 101))
    await monitor.settled()
    expect(events).toHaveLength(1)
    expect(history.alertEntries(10)).toHaveLength(1)
  })
})
