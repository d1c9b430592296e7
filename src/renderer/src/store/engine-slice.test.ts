import { describe, expect, it } from 'vitest'
import type { EngineView } from '../../../shared/engine-choice.ts'
import { ApiError } from '../../../shared/envelope.ts'
import { createAppStore } from './app-store.ts'
import { selectFreshness, selectStatusLine } from './selectors.ts'
import { linkOf } from './slices/engine-slice.ts'
import { disconnected, fakeApi } from './test-api.ts'

const local: EngineView = { shell: 'desktop', shown: { kind: 'local' }, saved: null }
const remote = (
  state: 'connecting' | 'connected' | 'retrying' | 'refused',
  problem: string | null = null,
): EngineView => ({
  shell: 'desktop',
  shown: { kind: 'remote', url: 'wss://team.example:7480', state, problem },
  saved: { url: 'https://team.example:7480', fingerprint: null, hasToken: true },
})

describe('engine slice', () => {
  it('follows a shared server’s link: only a connected one is open, and a refusal says why', () => {
    expect(linkOf(local)).toEqual({ link: 'open', problem: null })
    expect(linkOf(remote('connected'))).toEqual({ link: 'open', problem: null })
    expect(linkOf(remote('connecting'))).toEqual({ link: 'connecting', problem: null })
    expect(linkOf(remote('refused', 'The server refused the access token'))).toEqual({
      link: 'closed',
      problem: 'Shared server wss://team.example:7480: The server refused the access token',
    })
    expect(linkOf(remote('retrying')).problem).toBe('Shared server wss://team.example:7480: not connected')
  })

  it('loads everything once a shared server’s link opens, and shows its problem while it is down', async () => {
    const { api, call } = fakeApi({ 'engine.get': () => remote('connecting') })
    const store = createAppStore(api, 'open')
    await store.getState().loadEngine()
    expect(store.getState().link).toBe('connecting')
    expect(call).not.toHaveBeenCalledWith('status.get', undefined)

    store.getState().applyEngine(remote('connected'))
    expect(store.getState().link).toBe('open')
    await expect.poll(() => call.mock.calls.some(([method]) => method === 'status.get')).toBe(true)
    await expect.poll(() => store.getState().status).toEqual(disconnected)

    store.getState().applyEngine(remote('refused', 'The server refused the access token'))
    const state = store.getState()
    expect(selectStatusLine(state)).toEqual({
      tone: 'error',
      text: 'Shared server wss://team.example:7480: The server refused the access token',
    })
    expect(selectFreshness(state).problem?.message).toBe(
      'Shared server wss://team.example:7480: The server refused the access token',
    )
  })

  it('leaves a web page’s link to its own socket', async () => {
    const { api } = fakeApi({ 'engine.get': () => ({ shell: 'web', shown: { kind: 'local' }, saved: null }) })
    const store = createAppStore(api, 'connecting')
    await store.getState().loadEngine()
    expect(store.getState().engine?.shell).toBe('web')
    expect(store.getState().link).toBe('connecting')
  })

  it('answers a switch with the engine’s outcome, a refusal in words included', async () => {
    const { api } = fakeApi({
      'engine.useRemote': () => {
        throw new ApiError('failed', 'The server refused the access token')
      },
      'engine.useLocal': () => local,
    })
    const store = createAppStore(api, 'open')
    expect(await store.getState().showLocalEngine()).toEqual({ ok: true, value: local })
    expect(await store.getState().showRemoteEngine({ url: 'team.example:7480', token: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'failed', message: 'The server refused the access token' },
    })
  })
})
