import { describe, expect, it } from 'vitest'
import type { AlertEntry, AlertRule } from '../../../shared/alerts.ts'
import { createAppStore } from './app-store.ts'
import { fakeApi, profileView } from './test-api.ts'

const entry = (id: number, change: Partial<AlertEntry> = {}): AlertEntry => ({
  id,
  ruleId: 'r1',
  kind: 'room-above',
  rule: 'lobby above 100 people',
  room: 'lobby',
  firedAt: id * 1000,
  message: 'lobby has 104 people, above 100',
  resolvedAt: null,
  resolution: null,
  ...change,
})

const rule: AlertRule = { id: 'r1', enabled: true, kind: 'room-above', room: 'lobby', people: 100 }

describe('app store: alerts slice', () => {
  it('reads the log when a connection is up, and keeps it current from alert events', async () => {
    const { api, emit, call } = fakeApi({ 'alerts.log': () => ({ entries: [entry(1)] }) })
    const store = createAppStore(api, 'open')
    expect(store.getState().alertLog).toBeNull()
    emit('status', { ...store.getState().status, connection: 'connected', profileId: 'p1' })
    await expect.poll(() => store.getState().alertLog).toEqual([entry(1)])
    expect(call).toHaveBeenCalledWith('alerts.log', { limit: 500 })

    emit('alert', { change: 'fired', entry: entry(2) })
    emit('alert', {
      change: 'resolved',
      entry: entry(1, { resolvedAt: 5000, resolution: 'lobby is down to 90 people' }),
    })
    expect(store.getState().alertLog?.map((item) => [item.id, item.resolvedAt])).toEqual([
      [2, null],
      [1, 5000],
    ])
    // Each event waits to be told once (web mode's notifications), then is gone.
    expect(
      store
        .getState()
        .takeAlertNotices()
        .map((event) => event.change),
    ).toEqual(['fired', 'resolved'])
    expect(store.getState().takeAlertNotices()).toEqual([])

    // Another connection: its own log, read afresh.
    emit('status', { ...store.getState().status, connection: 'disconnected', profileId: null })
    expect(store.getState().alertLog).toBeNull()
  })

  it("keeps a connection's rules on its profile as the engine answers them", async () => {
    const { api } = fakeApi({
      'profiles.list': () => [profileView('p1')],
      'alerts.saveRule': (input) => ({ ...rule, ...(input as { rule: object }).rule, id: 'r1' }),
      'alerts.deleteRule': () => null,
    })
    const store = createAppStore(api, 'open')
    await store.getState().loadProfiles()
    await store.getState().saveAlertRule('p1', { kind: 'room-above', room: 'lobby', people: 100 })
    expect(store.getState().profiles[0]?.alerts).toEqual([rule])
    await store.getState().saveAlertRule('p1', { ...rule, people: 250 })
    expect(store.getState().profiles[0]?.alerts).toEqual([{ ...rule, people: 250 }])
    await store.getState().deleteAlertRule('p1', 'r1')
    expect(store.getState().profiles[0]?.alerts).toEqual([])
  })
})
