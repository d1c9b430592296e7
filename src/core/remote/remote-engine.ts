import type { ClientRequest, IncomingMessage } from 'node:http'
import WebSocket, { type ClientOptions, type RawData } from 'ws'
import type { RemoteLinkState, ServerAddress } from '../../shared/engine-choice.ts'
import { fail, type Envelope } from '../../shared/envelope.ts'
import { CONTRACT_HEADER, MAX_FRAME_BYTES } from '../../shared/wire.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { contractMismatch, refusalFromError, refusalFromStatus } from './connect-errors.ts'
import { verifiedTlsConnection } from './verified-tls.ts'

export interface RemoteServerOptions {
  address: ServerAddress
  /** Sent as `Authorization: Bearer`; null for a server on this computer that runs without one. */
  token: string | null
  /** The certificate fingerprint the operator trusted for this server; null to rely on the system's CAs. */
  pinnedFingerprint: string | null
  logger?: Logger
  connectTimeoutMs?: number
  callTimeoutMs?: number
  /** Waits between attempts after the link is lost; the last repeats. */
  retryDelaysMs?: readonly number[]
}

interface Pending {
  resolve(envelope: Envelope<unknown>): void
  timer: NodeJS.Timeout
}

const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000]

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

/** The start of an HTTP answer's body (a refusal's words), read without waiting for more than a little. */
function readSome(response: IncomingMessage, limit = 2048): Promise<string> {
  return new Promise((resolve) => {
    let body = ''
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => {
      body += chunk
      if (body.length >= limit) response.destroy()
    })
    response.on('end', () => resolve(body))
    response.on('close', () => resolve(body))
    response.on('error', () => resolve(body))
  })
}

/** How a client reaches the server: TLS verified before any byte of the request (and its token) is sent. */
export function connectionOptions(
  options: Pick<RemoteServerOptions, 'address' | 'pinnedFingerprint' | 'connectTimeoutMs'>,
): Pick<ClientOptions, 'createConnection'> {
  if (!options.address.secure) return {}
  const create = verifiedTlsConnection({
    pinnedFingerprint: options.pinnedFingerprint,
    timeoutMs: options.connectTimeoutMs ?? 10_000,
  })
  // Node's HTTP client accepts a createConnection that hands its socket to a callback (documented for
  // http.request and agent.createConnection); ws passes the option through to it. The types only
  // know the synchronous form.
  return { createConnection: create as unknown as ClientOptions['createConnection'] }
}

/**
 * The desktop's link to a shared `headcount serve`: the same contract as web mode's page speaks, over
 * one WebSocket (wss), from the main process. Calls are matched to replies by id; events are handed to
 * listeners as they come (the caller validates them). Once connected, a lost link is retried with
 * backoff; a refused token or certificate is not (it would be refused again), and says so.
 */
export class RemoteEngine {
  readonly address: ServerAddress
  private readonly options: RemoteServerOptions
  private readonly logger: Logger
  private socket: WebSocket | null = null
  private currentState: RemoteLinkState = 'connecting'
  private currentProblem: string | null = null
  private nextId = 1
  private attempt = 0
  private retryTimer: NodeJS.Timeout | null = null
  /** Why the link that was up went down; kept at the head of the problem until it is up again. */
  private lostBecause: string | null = null
  private closed = false
  private readonly pending = new Map<number, Pending>()
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>()
  private readonly stateListeners = new Set<() => void>()

  constructor(options: RemoteServerOptions) {
    this.options = options
    this.address = options.address
    this.logger = options.logger ?? silentLogger
  }

  get state(): RemoteLinkState {
    return this.currentState
  }

  /** Why the link is not up, in words; null while connected. */
  get problem(): string | null {
    return this.currentProblem
  }

  /**
   * One attempt, for an operator who just asked to open this server: resolves once connected, or
   * rejects with a `RemoteConnectError` (connect-errors.ts) saying why; nothing is retried then. Losses
   * after it connected are retried.
   */
  async connect(): Promise<void> {
    this.adopt(await this.open())
  }

  /** Connects in the background and keeps trying while it can't (the app starting with this server chosen). */
  start(): void {
    void this.reconnect()
  }

  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onStateChange(listener: () => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  /** Calls a contract method on the server; never throws: a failure is an envelope, as from any transport. */
  call(method: string, input: unknown): Promise<Envelope<unknown>> {
    const socket = this.socket
    if (!socket || this.currentState !== 'connected') {
      const why = this.currentProblem ?? 'connecting…'
      return Promise.resolve(fail('transport', `Not connected to the shared server ${this.address.shown}: ${why}`))
    }
    const id = this.nextId++
    const frame = JSON.stringify({ id, method, input })
    // The server would close the socket over it, failing every other call in flight: refuse just this one.
    if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) {
      return Promise.resolve(
        fail(
          'bad-request',
          `This ${method} call is over the ${MAX_FRAME_BYTES} bytes one message to the server can carry; nothing was sent`,
        ),
      )
    }
    const timeoutMs = this.options.callTimeoutMs ?? 30_000
    return new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          this.settle(id, fail('transport', `The shared server did not answer ${method} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      )
      this.pending.set(id, { resolve, timer })
      socket.send(frame)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    const socket = this.socket
    this.socket = null
    this.failPending('The console closed its link to the shared server')
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.terminate()
      await gone
    }
    this.eventListeners.clear()
    this.stateListeners.clear()
  }

  private open(): Promise<WebSocket> {
    const { address, token } = this.options
    const socket = new WebSocket(address.apiUrl, {
      ...connectionOptions(this.options),
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      // A redirect would carry the token to wherever it points.
      followRedirects: false,
      perMessageDeflate: false,
    })
    return new Promise((resolve, reject) => {
      let mismatch: Error | null = null
      const onError = (error: Error) => {
        socket.off('open', onOpen)
        reject(mismatch ?? refusalFromError(error, address.shown))
      }
      const onOpen = () => {
        socket.off('error', onError)
        socket.off('unexpected-response', onResponse)
        resolve(socket)
      }
      // Before 'open': a server of another revision is left at once, with the reason, not adopted.
      const onUpgrade = (response: IncomingMessage) => {
        mismatch = contractMismatch(response.headers[CONTRACT_HEADER], address.shown)
        if (!mismatch) return
        socket.off('open', onOpen)
        socket.off('error', onError)
        socket.on('error', () => {})
        socket.terminate()
        reject(mismatch)
      }
      const onResponse = (request: ClientRequest, response: IncomingMessage) => {
        socket.off('open', onOpen)
        socket.off('error', onError)
        void readSome(response).then((body) => {
          request.destroy()
          reject(refusalFromStatus(response.statusCode ?? 0, body, address.shown))
        })
        // ws emits an error once the request is destroyed; the refusal above is the answer.
        socket.on('error', () => {})
      }
      socket.once('upgrade', onUpgrade)
      socket.once('open', onOpen)
      socket.once('error', onError)
      socket.once('unexpected-response', onResponse)
    })
  }

  private adopt(socket: WebSocket): void {
    this.socket = socket
    this.attempt = 0
    this.lostBecause = null
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(text(data))
    })
    socket.on('error', (error) => this.logger.warn('shared server socket error', error.message))
    socket.on('close', (code) => {
      if (this.socket !== socket) return
      this.socket = null
      const reason =
        code === 1009
          ? 'The shared server closed the connection: a message was over its size limit'
          : 'The connection to the shared server was lost'
      this.failPending(reason)
      if (this.closed) return
      this.lostBecause = reason
      this.setState('retrying', `${reason}; trying again…`)
      this.scheduleRetry()
    })
    this.setState('connected', null)
  }

  private receive(raw: string): void {
    let frame: { id?: unknown; result?: unknown; event?: unknown; payload?: unknown }
    try {
      frame = JSON.parse(raw)
    } catch {
      this.logger.warn('the shared server sent a frame that is not JSON; ignored')
      return
    }
    if (typeof frame.event === 'string') {
      for (const listener of [...this.eventListeners]) listener(frame.event, frame.payload)
    } else if (typeof frame.id === 'number') {
      this.settle(frame.id, frame.result as Envelope<unknown>)
    }
  }

  private settle(id: number, envelope: Envelope<unknown>): void {
    const call = this.pending.get(id)
    if (!call) return
    clearTimeout(call.timer)
    this.pending.delete(id)
    call.resolve(envelope)
  }

  private failPending(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, fail('transport', reason))
  }

  private async reconnect(): Promise<void> {
    this.retryTimer = null
    if (this.closed) return
    try {
      const socket = await this.open()
      if (this.closed) {
        socket.terminate()
        return
      }
      this.adopt(socket)
    } catch (error) {
      if (this.closed) return
      const refusal = refusalFromError(error, this.address.shown)
      if (refusal.lasting) {
        this.setState('refused', refusal.message)
        return
      }
      // After a loss the operator is told so for as long as it lasts, with what the last attempt met,
      // not only the latter (which replaced it within half a second).
      const lost = this.lostBecause === null ? '' : `${this.lostBecause}. `
      this.setState('retrying', `${lost}${refusal.message}; trying again…`)
      this.scheduleRetry()
    }
  }

  private scheduleRetry(): void {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    const delay = delays[Math.min(this.attempt, delays.length - 1)] ?? 10_000
    this.attempt += 1
    this.retryTimer = setTimeout(() => void this.reconnect(), delay)
  }

  private setState(state: RemoteLinkState, problem: string | null): void {
    if (state === this.currentState && problem === this.currentProblem) return
    this.currentState = state
    this.currentProblem = problem
    for (const listener of [...this.stateListeners]) listener()
  }
}
