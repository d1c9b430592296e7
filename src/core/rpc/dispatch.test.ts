import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../../shared/settings.ts'
import { ApiError } from '../../shared/envelope.ts'
import { silentLogger } from '../logger.ts'
import { dispatch, type Handlers } from './dispatch.ts'

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'app.info': vi.fn(),
    'status.get': vi.fn(),
    'settings.get': () => DEFAULT_SETTINGS,
    'settings.update': (patch) => ({ ...DEFAULT_SETTINGS, ...patch }),
    ...overrides,
  } as Handlers
}

describe('dispatch', () => {
  it('runs the handler with validated input and returns its result', async () => {
    const result = await dispatch(handlers(), 'settings.update', { theme: 'dark' })
    expect(result).toEqual({ ok: true, value: { ...DEFAULT_SETTINGS, theme: 'dark' } })
  })

  it('refuses unknown methods without calling anything', async () => {
    expect(await dispatch(handlers(), 'settings.drop', undefined)).toMatchObject({
      ok: false,
      error: { code: 'unknown-method', message: 'Unknown method "settings.drop"' },
    })
    expect(await dispatch(handlers(), { method: 1 }, undefined)).toMatchObject({ error: { code: 'unknown-method' } })
  })

  it('refuses input that breaks the schema, naming the field', async () => {
    const update = vi.fn()
    const result = await dispatch(handlers({ 'settings.update': update }), 'settings.update', { rawRetentionDays: 0 })
    expect(update).not.toHaveBeenCalled()
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'bad-request',
        message: expect.stringMatching(/^Invalid input for settings.update: rawRetentionDays: /),
      },
    })
    if (!result.ok) expect(result.error.issues?.[0]?.path).toBe('rawRetentionDays')
  })

  it('passes a handler refusal through with its code and message', async () => {
    const refuse = () => {
      throw new ApiError('failed', 'Disk full')
    }
    expect(await dispatch(handlers({ 'settings.get': refuse }), 'settings.get', undefined)).toEqual({
      ok: false,
      error: { code: 'failed', message: 'Disk full' },
    })
  })

  it('reports unexpected errors and out-of-contract results as internal, and logs them', async () => {
    const logger = { ...silentLogger, error: vi.fn() }
    const crash = () => {
      throw new TypeError('boom')
    }
    expect(await dispatch(handlers({ 'settings.get': crash }), 'settings.get', undefined, logger)).toMatchObject({
      error: { code: 'internal', message: 'settings.get failed unexpectedly: boom' },
    })
    const wrong = () => ({ theme: 'dark' }) as never
    expect(await dispatch(handlers({ 'settings.get': wrong }), 'settings.get', undefined, logger)).toMatchObject({
      error: { code: 'internal', message: 'settings.get returned a result outside the contract' },
    })
    expect(logger.error).toHaveBeenCalledTimes(2)
  })
})
