import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/envelope.ts'
import { attempt, failureText } from './outcome.ts'

describe('outcomes', () => {
  it("are the contract's envelope: a value, or the engine's error with its code and issues", async () => {
    expect(await attempt(async () => 42)).toEqual({ ok: true, value: 42 })
    const refused = await attempt(async () => {
      throw new ApiError('bad-request', 'Invalid input', [{ path: 'name', message: 'Required' }])
    })
    expect(refused).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'Invalid input', issues: [{ path: 'name', message: 'Required' }] },
    })
    expect(failureText(refused)).toBe('Invalid input')
  })

  it('turn anything else thrown into an internal error in words, never a throw', async () => {
    const outcome = await attempt(async () => {
      throw new TypeError('x is not a function')
    })
    expect(outcome).toEqual({ ok: false, error: { code: 'internal', message: 'x is not a function' } })
    expect(failureText({ ok: true, value: null })).toBeNull()
  })
})
