import { createApi, type Api, type Transport } from '../../../shared/client.ts'
import { apiUrlFor, createWebSocketTransport, diagnoseAccess, type WebSocketTransport } from './ws-transport.ts'

export interface ApiConnection {
  api: Api
  /** Only web mode has a link that can drop; in Electron the engine is always there. */
  link: WebSocketTransport | null
}

/** Electron's preload provides `window.headcount`; without it we are in a browser, talking to web mode. */
export function connectApi(): ApiConnection {
  if (window.headcount) {
    const bridge = window.headcount
    const transport: Transport = {
      kind: 'ipc',
      invoke: (method, input) => bridge.invoke(method, input),
      subscribe: (event, listener) => bridge.subscribe(event, listener),
    }
    return { api: createApi(transport), link: null }
  }
  const link = createWebSocketTransport(apiUrlFor(window.location), {
    diagnose: () => diagnoseAccess(window.location.origin),
  })
  return { api: createApi(link), link }
}
