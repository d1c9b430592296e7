import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { isEventName, isMethodName } from '../shared/contract.ts'
import { callChannel, eventChannel } from '../shared/ipc-channels.ts'
import type { HeadcountBridge } from './bridge.ts'

/**
 * The only thing the renderer sees of Electron: `window.headcount`, able to call contract methods and
 * listen to contract events, and nothing else (no raw ipcRenderer, no process, no sender objects).
 */
const bridge: HeadcountBridge = {
  invoke(method, input) {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown-method', message: `Unknown method ${JSON.stringify(method)}` },
      })
    }
    return ipcRenderer.invoke(callChannel(method), input)
  },
  subscribe(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown event ${JSON.stringify(event)}`)
    const channel = eventChannel(event)
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, forward)
    return () => {
      ipcRenderer.removeListener(channel, forward)
    }
  },
}

contextBridge.exposeInMainWorld('headcount', bridge)
