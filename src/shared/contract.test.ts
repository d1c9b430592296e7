import { describe, expect, it } from 'vitest'
import { contract, EVENT_NAMES, isEventName, isMethodName, METHOD_NAMES } from './contract.ts'

describe('contract', () => {
  it('lists every method and event once, with schemas', () => {
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length)
    for (const name of METHOD_NAMES) {
      const spec = contract.methods[name]
      expect(typeof spec.input.safeParse).toBe('function')
      expect(typeof spec.output.safeParse).toBe('function')
      expect(spec.summary.length).toBeGreaterThan(0)
    }
    for (const name of EVENT_NAMES) expect(typeof contract.events[name].safeParse).toBe('function')
  })

  it('recognises only its own names, not inherited properties', () => {
    expect(isMethodName('settings.get')).toBe(true)
    expect(isMethodName('toString')).toBe(false)
    expect(isMethodName('__proto__')).toBe(false)
    expect(isMethodName(42)).toBe(false)
    expect(isEventName('status')).toBe(true)
    expect(isEventName('constructor')).toBe(false)
  })

  it('methods without input accept a missing argument and refuse a present one', () => {
    expect(contract.methods['settings.get'].input.safeParse(undefined).success).toBe(true)
    expect(contract.methods['settings.get'].input.safeParse({}).success).toBe(false)
  })
})
