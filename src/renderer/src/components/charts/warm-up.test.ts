import { describe, expect, it } from 'vitest'
import { createWarmUp } from './warm-up.ts'

/** Idle slots the test hands out one at a time. */
function idleQueue() {
  const waiting: (() => void)[] = []
  return {
    whenIdle: (callback: () => void) => void waiting.push(callback),
    /** Runs the next idle callback; false when none is waiting. */
    runOne: () => {
      const callback = waiting.shift()
      callback?.()
      return callback !== undefined
    },
    get waiting() {
      return waiting.length
    },
  }
}

describe('warm-up', () => {
  it('runs the work the given number of times, one idle slot each, nothing before the first slot', () => {
    const idle = idleQueue()
    const warmUp = createWarmUp(3, idle.whenIdle)
    let runs = 0
    warmUp(() => runs++)
    expect(runs).toBe(0)
    expect(idle.waiting).toBe(1)
    idle.runOne()
    expect(runs).toBe(1)
    while (idle.runOne());
    expect(runs).toBe(3)
    expect(idle.waiting).toBe(0)
  })

  it('warms only the first work offered: later offers (every later draw) run nothing more', () => {
    const idle = idleQueue()
    const warmUp = createWarmUp(2, idle.whenIdle)
    const ran: string[] = []
    warmUp(() => ran.push('first'))
    warmUp(() => ran.push('second'))
    while (idle.runOne());
    warmUp(() => ran.push('third'))
    while (idle.runOne());
    expect(ran).toEqual(['first', 'first'])
  })

  it('does nothing at all for no runs', () => {
    const idle = idleQueue()
    let runs = 0
    createWarmUp(0, idle.whenIdle)(() => runs++)
    while (idle.runOne());
    expect(runs).toBe(0)
  })
})
