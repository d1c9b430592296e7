import type { HeadcountBridge } from './bridge.ts'

declare global {
  interface Window {
    /** Present only in the Electron app; web mode talks to the engine over a WebSocket instead. */
    headcount?: HeadcountBridge
  }
}

export {}
