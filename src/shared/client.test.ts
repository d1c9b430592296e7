import { describe, expect, it, vi } from 'vitest'
import { createApi, type Transport } from './client.ts'
import { ApiError, fail, ok } from './envelope.ts'

function transportReturning(reply: unknown | Promise<unknown>): Transport {
  return {
    kind: 'websocket',
    invoke: vi.fn(async () => reply as never),
    subscribe: vi.fn(() => () => {}),
  }
}

describe('createApi', () => {
  it('unwraps a successful envelope', async () => {
    const transport = transportReturning(ok({ theme: 'dark' }))
    const api = createApi(transport)
    await expect(api.call('settings.update', { theme: 'dark' })).resolves.toEqual({ theme: 'dark' })
    expect(transport.invoke).toHaveBeenCalledWith('settings.update', { theme: 'dark' })
  })

  it('turns an error envelope into an ApiError carrying code and issues', async () => {
    const api = createApi(transportReturning(fail('bad-request', 'Invalid input', [{ path: 'theme', message: 'bad' }])))
    const error = await api.call('settings.get').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'bad-request', message: 'Invalid input', issues: [{ path: 'theme' }] })
  })

  it('reports a transport that throws or answers nonsense as a transport error', async () => {
    const broken: Transport = {
      kind: 'ipc',
      invoke: async () => Promise.reject(new Error('socket closed')),
      subscribe: () => () => {},
    }
    await expect(createApi(broken).call('app.info')).rejects.toMatchObject({
      code: 'transport',
      message: /socket closed/,
    })
    await expect(createApi(transportReturning({ nope: true })).call('app.info')).rejects.toMatchObject({
      code: 'transport',
      message: /Malformed reply/,
    })
  })

  it('passes event subscriptions through to the transport', () => {
    const transport = transportReturning(ok(null))
    const listener = vi.fn()
    createApi(transport).on('status', listener)
    expect(transport.subscribe).toHaveBeenCalledWith('status', listener)
  })
})
