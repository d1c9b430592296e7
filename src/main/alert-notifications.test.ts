import { describe, expect, it, vi } from 'vitest'
import { EngineEvents } from '../core/events.ts'
import type { AlertEvent } from '../shared/alerts.ts'
import { DEFAULT_SETTINGS } from '../shared/settings.ts'

const shown: { options: unknown; click?: () => void }[] = []
let supported = true
vi.mock('electron', () => ({
  Notification: class {
    static isSupported = () => supported
    private readonly record: { options: unknown; click?: () => void }
    constructor(options: unknown) {
      this.record = { options }
    }
    on(event: string, listener: () => void) {
      if (event === 'click') this.record.click = listener
      return this
    }
    show() {
      shown.push(this.record)
    }
  },
}))
const { notifyAlerts } = await import('./alert-notifications.ts')

const entry = {
  id: 1,
  ruleId: 'r1',
  kind: 'room-above' as const,
  rule: 'lobby above 100 people',
  room: 'lobby',
  firedAt: 1000,
  message: 'lobby has 104 people, above 100',
  resolvedAt: null,
  resolution: null,
}

describe('desktop alert notifications', () => {
  it('shows each firing and resolution, and brings the console forward when clicked', () => {
    shown.length = 0
    const events = new EngineEvents()
    const showConsole = vi.fn()
    const stop = notifyAlerts(events, showConsole)
    events.emit('alert', { change: 'fired', entry } satisfies AlertEvent)
    expect(events.emit('settings.changed', DEFAULT_SETTINGS)).toBe(true)
    events.emit('alert', {
      change: 'resolved',
      entry: { ...entry, resolvedAt: 2000, resolution: 'lobby is down to 90 people' },
    } satisfies AlertEvent)
    expect(shown.map((notice) => notice.options)).toEqual([
      { title: 'Alert: lobby above 100 people', body: 'lobby has 104 people, above 100' },
      { title: 'Resolved: lobby above 100 people', body: 'lobby is down to 90 people' },
    ])
    shown[0]?.click?.()
    expect(showConsole).toHaveBeenCalledTimes(1)
    stop()
    events.emit('alert', { change: 'fired', entry })
    expect(shown).toHaveLength(2)
  })

  it('stays quiet where the system has no notifications', () => {
    shown.length = 0
    supported = false
    const events = new EngineEvents()
    notifyAlerts(events, () => undefined)
    events.emit('alert', { change: 'fired', entry })
    expect(shown).toEqual([])
    supported = true
  })
})
