import { describe, expect, it, vi } from 'vitest'
import type { Tick } from '../shared/presence.ts'
import { DEFAULT_SETTINGS } from '../shared/settings.ts'
import { EngineEvents } from './events.ts'
import type { Logger } from './logger.ts'

const TICK: Tick = {
  at: 1_000,
  stream: 'reading-1',
  seq: 1,
  source: 'poll',
  total: 3,
  roomCount: 1,
  channels: 3,
  unmatched: 0,
  joins: 3,
  leaves: 0,
  baseline: false,
  drift: 0,
  changed: [{ room: 'lobby', count: 3, groups: {} }],
  removed: [],
  recent: [],
}

function recordingLogger() {
  const errors: string[] = []
  const logger: Logger = { info() {}, warn() {}, error: (message) => void errors.push(message) }
  return { logger, errors }
}

describe('EngineEvents', () => {
  it('delivers an event that matches the contract to every listener', () => {
    const events = new EngineEvents()
    const first = vi.fn()
    const second = vi.fn()
    events.onAny(first)
    events.onAny(second)
    expect(events.emit('tick', TICK)).toBe(true)
    expect(first).toHaveBeenCalledWith('tick', TICK)
    expect(second).toHaveBeenCalledWith('tick', TICK)
  })

  it('drops an invalid event and logs its issues, without throwing into the caller', () => {
    const { logger, errors } = recordingLogger()
    const events = new EngineEvents(logger)
    const heard = vi.fn()
    events.onAny(heard)
    // A field that drifted from its schema: a fraction where the contract says a whole number.
    const drifted = { ...TICK, drift: 0.5, changed: [{ room: 'lobby', count: -1, groups: {} }] }
    expect(events.emit('tick', drifted)).toBe(false)
    expect(heard).not.toHaveBeenCalled()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^The tick event does not match the contract and was dropped:/)
    expect(errors[0]).toMatch(/→ at drift/)
    expect(errors[0]).toMatch(/→ at changed\[0\]\.count/)

    // The next valid event still goes through.
    expect(events.emit('settings.changed', DEFAULT_SETTINGS)).toBe(true)
    expect(heard).toHaveBeenCalledWith('settings.changed', DEFAULT_SETTINGS)
  })

  it('keeps delivering to the other listeners when one throws, and logs it', () => {
    const { logger, errors } = recordingLogger()
    const events = new EngineEvents(logger)
    events.onAny(() => {
      throw new Error('socket closed')
    })
    const heard = vi.fn()
    events.onAny(heard)
    expect(events.emit('tick', TICK)).toBe(true)
    expect(heard).toHaveBeenCalledWith('tick', TICK)
    expect(errors).toEqual(['A listener failed on the tick event'])
  })

  it('stops delivering to a listener that unsubscribed', () => {
    const events = new EngineEvents()
    const heard = vi.fn()
    const stop = events.onAny(heard)
    stop()
    events.emit('tick', TICK)
    expect(heard).not.toHaveBeenCalled()
    expect(events.listenerCount).toBe(0)
  })
})
