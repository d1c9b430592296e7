// A fault-injection proxy for integration tests: an HTTP server in front of a real upstream (usually the
// embedded emulator) that passes requests through, or breaks the answer in one of the ways networks and
// servers break, switchable while a test runs. WebSocket upgrades are piped through untouched, so a
// pusher-js client pointed at the proxy still reaches the emulator.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/**
 * - `healthy`: the upstream's answer, unchanged.
 * - `reset`: the connection is reset (TCP RST) as soon as the request arrives; no answer at all.
 * - `truncate`: the upstream's status and headers with the full `Content-Length`, half the body, then
 *   the connection closes.
 * - `stall`: the upstream's status and headers, then nothing, for as long as the mode lasts.
 * - `drip`: the upstream's answer, its body a few bytes at a time (`dripBytes` every `dripEveryMs`).
 * - `slow`: the upstream's answer, unchanged, after `slowMs`.
 * - `5xx`: HTTP 503 with a short text body; the upstream is not asked.
 * - `429`: HTTP 429 with a short text body; the upstream is not asked.
 * - `error-200`: HTTP 200 whose JSON body is an error, as some compatible servers answer.
 */
export const FAULT_MODES = ['healthy', 'reset', 'truncate', 'stall', 'drip', 'slow', '5xx', '429', 'error-200'] as const
export type FaultMode = (typeof FAULT_MODES)[number]

export interface FaultOptions {
  /** Which requests the fault applies to; the others pass through healthy (default: all of them). */
  match?(request: { method: string; path: string }): boolean
  dripBytes?: number
  dripEveryMs?: number
  slowMs?: number
}

export interface SeenRequest {
  method: string
  path: string
  mode: FaultMode
  at: number
}

export class FaultProxy {
  readonly seen: SeenRequest[] = []
  port = 0
  private mode: FaultMode = 'healthy'
  private options: FaultOptions = {}
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  /** Answers held open by `stall`, `drip` or `slow`, released when the mode changes. */
  private readonly held = new Set<() => void>()

  private readonly upstreamPort: number
  private readonly upstreamHost: string

  constructor(upstreamPort: number, upstreamHost = '127.0.0.1') {
    this.upstreamPort = upstreamPort
    this.upstreamHost = upstreamHost
    this.server = createServer((request, response) => this.handle(request, response))
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      this.pipeUpgrade(request, socket, head),
    )
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => resolve())
    })
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  /** Switches the fault; answers held by the previous one are cut off. */
  set(mode: FaultMode, options: FaultOptions = {}): void {
    this.mode = mode
    this.options = options
    for (const release of [...this.held]) release()
    this.held.clear()
  }

  get current(): FaultMode {
    return this.mode
  }

  /** Requests the current fault is holding open right now (stall, drip, slow). */
  get holding(): number {
    return this.held.size
  }

  /** Client connections open to the proxy now. */
  get connections(): number {
    return this.sockets.size
  }

  /** Requests that met a given fault (not counting pass-through). */
  count(mode: FaultMode, path?: RegExp): number {
    return this.seen.filter((seen) => seen.mode === mode && (path === undefined || path.test(seen.path))).length
  }

  async close(): Promise<void> {
    for (const release of [...this.held]) release()
    this.held.clear()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private faultFor(request: IncomingMessage): FaultMode {
    const path = new URL(request.url ?? '/', 'http://proxy').pathname
    const applies = this.options.match?.({ method: request.method ?? 'GET', path }) ?? true
    return applies ? this.mode : 'healthy'
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const mode = this.faultFor(request)
    this.seen.push({
      method: request.method ?? 'GET',
      path: new URL(request.url ?? '/', 'http://proxy').pathname,
      mode,
      at: Date.now(),
    })
    switch (mode) {
      case 'reset':
        request.socket.resetAndDestroy()
        return
      case '5xx':
        response.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service unavailable (fault proxy)')
        return
      case '429':
        response.writeHead(429, { 'Content-Type': 'text/plain' }).end('Too many requests (fault proxy)')
        return
      case 'error-200':
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'Internal error (fault proxy)', code: 500 }))
        return
      default:
        this.forward(request, response, mode)
    }
  }

  /** Asks the upstream, then hands its whole answer to the fault. */
  private forward(request: IncomingMessage, response: ServerResponse, mode: FaultMode): void {
    const upstream = httpRequest(
      {
        host: this.upstreamHost,
        port: this.upstreamPort,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: `${this.upstreamHost}:${this.upstreamPort}` },
      },
      (answer) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => this.answer(response, mode, answer, Buffer.concat(chunks)))
        answer.on('error', () => response.destroy())
      },
    )
    upstream.on('error', () => response.destroy())
    request.pipe(upstream)
  }

  private answer(response: ServerResponse, mode: FaultMode, upstream: IncomingMessage, body: Buffer): void {
    const headers: OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection' && name !== 'keep-alive')
        headers[name] = value
    }
    headers['content-length'] = String(body.length)
    const status = upstream.statusCode ?? 502
    if (response.destroyed) return
    switch (mode) {
      case 'truncate':
        response.writeHead(status, headers)
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy())
        return
      case 'stall':
        response.writeHead(status, headers)
        response.flushHeaders()
        this.hold(response, () => response.socket?.destroy())
        return
      case 'drip': {
        response.writeHead(status, headers)
        response.flushHeaders()
        const size = this.options.dripBytes ?? 4
        let offset = 0
        const timer = setInterval(() => {
          response.write(body.subarray(offset, offset + size))
          offset += size
          if (offset >= body.length) {
            stop()
            response.end()
          }
        }, this.options.dripEveryMs ?? 250)
        const stop = this.hold(response, () => {
          clearInterval(timer)
          response.socket?.destroy()
        })
        return
      }
      case 'slow': {
        const timer = setTimeout(() => {
          stop()
          response.writeHead(status, headers).end(body)
        }, this.options.slowMs ?? 5000)
        const stop = this.hold(response, () => {
          clearTimeout(timer)
          response.socket?.destroy()
        })
        return
      }
      default:
        response.writeHead(status, headers).end(body)
    }
  }

  /** Keeps an answer open until the mode changes or the client goes; returns "done, forget it". */
  private hold(response: ServerResponse, cutOff: () => void): () => void {
    const release = () => {
      this.held.delete(release)
      cutOff()
    }
    const forget = () => this.held.delete(release)
    this.held.add(release)
    response.on('close', () => {
      if (this.held.delete(release)) cutOff()
    })
    return forget
  }

  private pipeUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const upstream = connect(this.upstreamPort, this.upstreamHost, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`]
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`)
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (head.length) upstream.write(head)
      upstream.pipe(socket).pipe(upstream)
    })
    this.sockets.add(upstream)
    upstream.on('close', () => {
      this.sockets.delete(upstream)
      socket.destroy()
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
    socket.on('close', () => upstream.destroy())
  }
}
