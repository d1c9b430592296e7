import { fail, type Envelope } from '../../../shared/envelope.ts'
import type { Transport } from '../../../shared/client.ts'
import { ACCESS_CHECK_PATH, API_PATH, MAX_FRAME_BYTES } from '../../../shared/wire.ts'

/** The link between the UI and the engine; in Electron it is always `open`. */
export type LinkState = 'connecting' | 'open' | 'closed'

export interface WebSocketTransport extends Transport {
  readonly state: LinkState
  /** Why the link is closed for good (the server refused this page's token), in the server's words; else null. */
  readonly problem: string | null
  onStateChange(listener: (state: LinkState, problem: string | null) => void): () => void
  close(): void
}

export interface TransportOptions {
  /**
   * Asked when the socket closes without ever opening. A browser can't read why an upgrade was refused,
   * so this asks the server over plain HTTP: the refusal in words (a wrong or missing token), or null
   * when the page is let in and the socket merely failed (then it retries).
   */
  diagnose?: () => Promise<string | null>
}

interface Pending {
  resolve(envelope: Envelope<unknown>): void
  timer: ReturnType<typeof setTimeout>
}

const CALL_TIMEOUT_MS = 30_000
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000]
/** WebSocket close code for a message over the other side's size limit (RFC 6455). */
const MESSAGE_TOO_BIG = 1009

const utf8 = new TextEncoder()

/** The frame's size in UTF-8, measured only when it could be over the limit (at most 3 bytes a unit). */
function frameBytes(text: string): number {
  return text.length * 3 <= MAX_FRAME_BYTES ? text.length : utf8.encode(text).byteLength
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}

function lostReason(code: number): string {
  return code === MESSAGE_TOO_BIG
    ? `The Headcount server closed the connection: a message was over its ${megabytes(MAX_FRAME_BYTES)} limit`
    : 'The connection to the Headcount server was lost'
}

/**
 * Web mode's link to the engine: one WebSocket, calls matched to replies by id, events fanned out to
 * listeners. If the server goes away, pending calls fail with a transport error and the socket
 * reconnects with backoff; calls made meanwhile wait for it (up to the call timeout).
 */
export function createWebSocketTransport(url: string, options: TransportOptions = {}): WebSocketTransport {
  let socket: WebSocket | null = null
  let state: LinkState = 'connecting'
  let problem: string | null = null
  let nextId = 1
  let attempt = 0
  let closedByUser = false
  const pending = new Map<number, Pending>()
  const queued: string[] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const stateListeners = new Set<(state: LinkState, problem: string | null) => void>()

  const setState = (next: LinkState, why: string | null = null) => {
    if (next === state && why === problem) return
    state = next
    problem = why
    for (const listener of [...stateListeners]) listener(next, why)
  }

  const settle = (id: number, envelope: Envelope<unknown>) => {
    const call = pending.get(id)
    if (!call) return
    clearTimeout(call.timer)
    pending.delete(id)
    call.resolve(envelope)
  }

  const onMessage = (raw: unknown) => {
    if (typeof raw !== 'string') return
    let frame: { id?: unknown; result?: unknown; event?: unknown; payload?: unknown }
    try {
      frame = JSON.parse(raw)
    } catch {
      return
    }
    if (typeof frame.event === 'string') {
      for (const listener of [...(listeners.get(frame.event) ?? [])]) listener(frame.payload)
    } else if (typeof frame.id === 'number') {
      settle(frame.id, frame.result as Envelope<unknown>)
    }
  }

  const open = () => {
    setState('connecting')
    const ws = new WebSocket(url)
    socket = ws
    let opened = false
    ws.onopen = () => {
      opened = true
      attempt = 0
      setState('open')
      for (const text of queued.splice(0)) ws.send(text)
    }
    ws.onmessage = (message) => onMessage(message.data)
    ws.onclose = (event) => {
      socket = null
      for (const id of [...pending.keys()]) settle(id, fail('transport', lostReason(event.code)))
      setState('closed')
      if (closedByUser) return
      const retry = () => {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 5000
        attempt += 1
        setTimeout(open, delay)
      }
      if (opened || !options.diagnose) return retry()
      void options.diagnose().then(
        (refusal) => {
          // Refused: trying again would be refused again; the page says why and what to do instead.
          if (refusal) {
            queued.length = 0
            setState('closed', refusal)
          } else retry()
        },
        () => retry(),
      )
    }
  }
  open()

  return {
    kind: 'websocket',
    get state() {
      return state
    },
    get problem() {
      return problem
    },
    invoke(method, input) {
      if (problem !== null) return Promise.resolve(fail('forbidden', problem))
      const id = nextId++
      const text = JSON.stringify({ id, method, input })
      // The server would close the socket over it, failing every other call in flight: refuse just this one.
      const bytes = frameBytes(text)
      if (bytes > MAX_FRAME_BYTES) {
        return Promise.resolve(
          fail(
            'bad-request',
            `This ${method} call is ${megabytes(bytes)}, over the ${megabytes(MAX_FRAME_BYTES)} one message to the Headcount server can carry; nothing was sent`,
          ),
        )
      }
      return new Promise((resolve) => {
        const timer = setTimeout(
          () => settle(id, fail('transport', `No reply to ${method} within ${CALL_TIMEOUT_MS / 1000} s`)),
          CALL_TIMEOUT_MS,
        )
        pending.set(id, { resolve, timer })
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text)
        else queued.push(text)
      })
    },
    subscribe(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    },
    onStateChange(listener) {
      stateListeners.add(listener)
      return () => {
        stateListeners.delete(listener)
      }
    },
    close() {
      closedByUser = true
      socket?.close()
    },
  }
}

/** Asks the server whether this page's token is let in: its refusal in words, or null. */
export async function diagnoseAccess(origin: string): Promise<string | null> {
  const response = await fetch(new URL(ACCESS_CHECK_PATH, origin), { cache: 'no-store', credentials: 'same-origin' })
  if (response.status === 401 || response.status === 403 || response.status === 421)
    return (await response.text()).trim()
  return null
}

export function apiUrlFor(location: Location): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${protocol}//${location.host}${API_PATH}`
}
