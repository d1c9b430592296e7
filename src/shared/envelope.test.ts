import { describe, expect, it } from 'vitest'
import { ApiError, fail, isEnvelope, ok } from './envelope.ts'

describe('envelopes', () => {
  it('recognise both shapes and nothing else', () => {
    expect(isEnvelope(ok(1))).toBe(true)
    expect(isEnvelope(ok(undefined))).toBe(true)
    expect(isEnvelope(fail('failed', 'no'))).toBe(true)
    expect(isEnvelope({ ok: true })).toBe(false)
    expect(isEnvelope({ ok: false, error: { code: 'teapot', message: 'x' } })).toBe(false)
    expect(isEnvelope({ ok: false, error: { code: 'failed' } })).toBe(false)
    expect(isEnvelope(null)).toBe(false)
  })

  it('omit empty issue lists', () => {
    expect(fail('failed', 'no', [])).toEqual({ ok: false, error: { code: 'failed', message: 'no' } })
    expect(new ApiError('failed', 'no').toBody()).toEqual({ code: 'failed', message: 'no' })
  })
})
