import type { IpcMainInvokeEvent, WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { METHOD_NAMES } from '../shared/contract.ts'
import { callChannel, eventChannel } from '../shared/ipc-channels.ts'
import { DEFAULT_SETTINGS } from '../shared/settings.ts'
import { EngineEvents } from '../core/events.ts'
import { silentLogger } from '../core/logger.ts'
import { dispatch, type Handlers } from '../core/rpc/dispatch.ts'

type Listener = (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>

const registered = new Map<string, Listener>()
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: Listener) => registered.set(channel, listener),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}))
const { bindContractToIpc, createSenderCheck, forwardEventsToWindows } = await import('./ipc.ts')

function fakeIpcMain() {
  registered.clear()
  return { handlers: registered }
}

const appFrame = { parent: null, url: 'file:///app/out/renderer/index.html' }
const eventFrom = (senderFrame: unknown) => ({ senderFrame }) as unknown as IpcMainInvokeEvent

const dispatchTo = (table: Handlers) => (method: string, input: unknown) => dispatch(table, method, input)

const handlers = {
  'settings.get': () => DEFAULT_SETTINGS,
  'settings.update': vi.fn((patch: object) => ({ ...DEFAULT_SETTINGS, ...patch })),
} as unknown as Handlers

describe('bindContractToIpc', () => {
  it('registers one handler per contract method and removes them all', () => {
    const { handlers: registered } = fakeIpcMain()
    const unbind = bindContractToIpc(dispatchTo(handlers), () => true, silentLogger)
    expect([...registered.keys()].sort()).toEqual(METHOD_NAMES.map(callChannel).sort())
    unbind()
    expect(registered.size).toBe(0)
  })

  it('answers trusted callers with validated envelopes, never throwing', async () => {
    const { handlers: registered } = fakeIpcMain()
    bindContractToIpc(
      dispatchTo(handlers),
      createSenderCheck((url) => url.startsWith('file://')),
      silentLogger,
    )
    const update = registered.get(callChannel('settings.update')) as Listener
    await expect(update(eventFrom(appFrame), { theme: 'dark' })).resolves.toEqual({
      ok: true,
      value: { ...DEFAULT_SETTINGS, theme: 'dark' },
    })
    await expect(update(eventFrom(appFrame), { theme: 'purple' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    })
  })

  it('refuses calls from other pages, sub-frames and destroyed frames before running anything', async () => {
    const { handlers: registered } = fakeIpcMain()
    const update = vi.fn()
    bindContractToIpc(
      dispatchTo({ ...handlers, 'settings.update': update } as Handlers),
      createSenderCheck((url) => url.startsWith('file://')),
      silentLogger,
    )
    const call = registered.get(callChannel('settings.update')) as Listener
    for (const frame of [
      { parent: null, url: 'https://evil.example/' },
      { parent: appFrame, url: appFrame.url },
      null,
    ]) {
      await expect(call(eventFrom(frame), { theme: 'dark' })).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      })
    }
    expect(update).not.toHaveBeenCalled()
  })
})

describe('forwardEventsToWindows', () => {
  it('sends each engine event to every live window on its channel', () => {
    const events = new EngineEvents()
    const live = { isDestroyed: () => false, send: vi.fn() }
    const dead = { isDestroyed: () => true, send: vi.fn() }
    const stop = forwardEventsToWindows(events, () => [live, dead] as unknown as WebContents[])
    events.emit('settings.changed', DEFAULT_SETTINGS)
    expect(live.send).toHaveBeenCalledWith(eventChannel('settings.changed'), DEFAULT_SETTINGS)
    expect(dead.send).not.toHaveBeenCalled()
    stop()
    events.emit('settings.changed', DEFAULT_SETTINGS)
    expect(live.send).toHaveBeenCalledTimes(1)
  })
})
