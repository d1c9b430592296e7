import { beforeAll, describe, expect, it, vi } from 'vitest'
import { callChannel, eventChannel } from '../shared/ipc-channels.ts'
import type { HeadcountBridge } from './bridge.ts'

const exposed = new Map<string, unknown>()
const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, value: 'pong' })), on: vi.fn(), removeListener: vi.fn() }
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer,
}))

let bridge: HeadcountBridge
beforeAll(async () => {
  await import('./index.ts')
  bridge = exposed.get('headcount') as HeadcountBridge
})

describe('preload', () => {
  it('exposes one object, window.headcount, with only invoke and subscribe', () => {
    expect([...exposed.keys()]).toEqual(['headcount'])
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe'])
  })

  it('sends contract methods on their channel and nothing else', async () => {
    await expect(bridge.invoke('settings.get', undefined)).resolves.toEqual({ ok: true, value: 'pong' })
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(callChannel('settings.get'), undefined)
    ipcRenderer.invoke.mockClear()
    await expect(bridge.invoke('shell.openExternal', 'x')).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-method' },
    })
    expect(ipcRenderer.invoke).not.toHaveBeenCalled()
  })

  it('forwards only the payload of contract events, and unsubscribes', () => {
    const listener = vi.fn()
    const unsubscribe = bridge.subscribe('status', listener)
    const [channel, forward] = ipcRenderer.on.mock.calls[0] as unknown as [
      string,
      (event: unknown, payload: unknown) => void,
    ]
    expect(channel).toBe(eventChannel('status'))
    forward({ sender: 'secret' }, { connection: 'connected' })
    expect(listener).toHaveBeenCalledWith({ connection: 'connected' })
    unsubscribe()
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(channel, forward)
    expect(() => bridge.subscribe('anything', listener)).toThrow(/Unknown event/)
  })
})
