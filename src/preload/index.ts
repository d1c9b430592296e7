import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CONTRACT_EVENT_NAMES, CONTRACT_METHOD_NAMES } from '../shared/contract-names.ts'
import { callChannel, eventChannel } from '../shared/ipc-channels.ts'
import type { HeadcountBridge } from './bridge.ts'

// Plain name lists, not the contract itself: the contract would bundle zod and every schema into the
// preload only to check a name. The engine validates everything that crosses anyway.
const METHODS = new Set(CONTRACT_METHOD_NAMES)
const EVENTS = new Set(CONTRACT_EVENT_NAMES)

/**
 * The only thing the renderer sees of Electron: `window.headcount`, able to call contract methods and
 * listen to contract events, and nothing else (no raw ipcRenderer, no process, no sender objects).
 */
const bridge: HeadcountBridge = {
  invoke(method, input) {
    if (!METHODS.has(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown-method', message: `Unknown method ${JSON.stringify(method)}` },
      })
    }
    return ipcRenderer.invoke(callChannel(method), input)
  },
  subscribe(event, listener) {
    if (!EVENTS.has(event)) throw new Error(`Unknown event ${JSON.stringify(event)}`)
    const channel = eventChannel(event)
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, forward)
    return () => {
      ipcRenderer.removeListener(channel, forward)
    }
  },
}

contextBridge.exposeInMainWorld('headcount', bridge)
