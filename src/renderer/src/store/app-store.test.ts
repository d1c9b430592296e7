import { describe, expect, it, vi } from 'vitest'
import type { Api } from '../../../shared/client.ts'
import { ApiError } from '../../../shared/envelope.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'
import { createAppStore } from './app-store.ts'
import { selectSecretWarning, selectStatusLine, selectTheme } from './selectors.ts'

const status: Status = { connection: 'disconnected', profile: null, profileId: null, message: 'Not connected', at: '2026-01-01T00:00:00.000Z', sync: null, demo: false }

function fakeApi(overrides: Partial<Record<string, (input: unknown) => unknown>> = {}) {
  const listeners = new Map<string, (payload: unknown) => void>()
  const results: Record<string, (input: unknown) => unknown> = {
    'app.info': () => ({ version: '1.0.0' }),
    'status.get': () => status,
    'settings.get': () => DEFAULT_SETTINGS,
    'settings.update': (patch) => ({ ...DEFAULT_SETTINGS, ...(patch as object) }),
    ...overrides,
  }
  const api = {
    transport: 'websocket',
    call: vi.fn(async (method: string, input?: unknown) => results[method]?.(input)),
    on: vi.fn((event: string, listener: (payload: unknown) => void) => {
      listeners.set(event, listener)
      return () => listeners.delete(event)
    }),
  }
  return { api: api as unknown as Api, emit: (event: string, payload: unknown) => listeners.get(event)?.(payload) }
}

describe('app store', () => {
  it('loads info, status and settings on refresh', async () => {
    const { api } = fakeApi()
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(store.getState()).toMatchObject({ info: { version: '1.0.0' }, status, settings: DEFAULT_SETTINGS, error: null })
  })

  it('keeps a failed refresh as an error in words', async () => {
    const { api } = fakeApi({
      'status.get': () => {
        throw new ApiError('transport', 'The connection to the Headcount server was lost')
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(store.getState().error).toBe('The connection to the Headcount server was lost')
    store.getState().dismissError()
    expect(store.getState().error).toBeNull()
  })

  it('follows status and settings events', () => {
    const { api, emit } = fakeApi()
    const store = createAppStore(api, 'open')
    emit('status', { ...status, connection: 'connected', message: 'Synced' })
    emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'dark' })
    expect(store.getState().status?.connection).toBe('connected')
    expect(store.getState().settings?.theme).toBe('dark')
  })

  it('returns the engine\'s refusal from updateSettings and keeps settings unchanged', async () => {
    const { api } = fakeApi({
      'settings.update': () => {
        throw new ApiError('bad-request', 'Invalid input for settings.update: rawRetentionDays: Too small')
      },
    })
    const store = createAppStore(api, 'open')
    await store.getState().refresh()
    expect(await store.getState().updateSettings({ rawRetentionDays: 0 })).toMatch(/Too small/)
    expect(store.getState().settings).toEqual(DEFAULT_SETTINGS)
  })
})

describe('selectors', () => {
  it('resolve the theme, following the OS for "system"', () => {
    expect(selectTheme({ settings: null }, true)).toBe('dark')
    expect(selectTheme({ settings: { ...DEFAULT_SETTINGS, theme: 'system' } }, false)).toBe('light')
    expect(selectTheme({ settings: { ...DEFAULT_SETTINGS, theme: 'dark' } }, false)).toBe('dark')
  })

  it('put a lost server link above anything the engine last said', () => {
    expect(selectStatusLine({ link: 'closed', status: { ...status, connection: 'connected' } })).toMatchObject({ tone: 'error' })
    expect(selectStatusLine({ link: 'connecting', status: null })).toEqual({ tone: 'busy', text: 'Starting…' })
    expect(selectStatusLine({ link: 'open', status })).toEqual({ tone: 'idle', text: 'Not connected' })
    expect(selectStatusLine({ link: 'open', status: { ...status, connection: 'error', profile: 'prod', message: 'Wrong secret' } })).toEqual({
      tone: 'error',
      text: 'prod: Wrong secret',
    })
  })

  it('surface the secret storage warning', () => {
    expect(selectSecretWarning({ info: null })).toBeNull()
    const info = { secretStorage: { backend: 'x', encrypted: false, warning: 'No keychain' } }
    expect(selectSecretWarning({ info } as never)).toBe('No keychain')
  })
})
