import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { fail } from '../shared/envelope.ts'
import { describeIssues } from '../shared/issues.ts'
import {
  ACCESS_CHECK_PATH,
  API_PATH,
  CallFrameSchema,
  CONTRACT_HEADER,
  CONTRACT_REVISION,
  MAX_FRAME_BYTES,
  type ServerFrame,
} from '../shared/wire.ts'
import type { EngineEvents } from '../core/events.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { keepIdleConnections } from '../core/http-keep-alive.ts'
import { dispatch, type EngineHandlers, type Handlers } from '../core/rpc/dispatch.ts'
import { hostRefusal, isAllowedOrigin, isLoopbackAddress, TOKEN_COOKIE, tokenRefusal } from './access.ts'
import { webShellHandlers } from './shell-handlers.ts'
import { sendDownload, sendRefusalPage, staticFiles } from './static-files.ts'

export interface WebServerOptions {
  /** The engine's; web mode adds its own answers to the shell's methods (it always shows this engine). */
  handlers: EngineHandlers
  events: EngineEvents
  /** Folder with the built renderer (`out/renderer`). */
  staticDir: string
  host?: string
  port?: number
  /** Required when `host` is not a loopback address. */
  token?: string | null
  /** PEM certificate and key: serve the UI, the API socket and downloads over HTTPS (and WSS) only. */
  tls?: { cert: Buffer | string; key: Buffer | string } | null
  /** The file of a finished export, by id, offered at GET /exports/<id> as a download. */
  exportFile?: (id: string) => string | null
  /** Bytes a client may leave unread (replies and events not yet taken) before it is dropped; see DEFAULT_MAX_BUFFERED_BYTES. */
  maxBufferedBytes?: number
  logger?: Logger
}

/**
 * A client that stops reading (a stalled tab, a script that only writes) would otherwise make the server
 * keep every reply and event for it in memory. Well above the largest rooms snapshot a console reads at
 * once; a dropped console reconnects and reads the state afresh.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024

export interface RunningWebServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

/**
 * Web mode: serves the built UI and binds the contract over a WebSocket at `/api`, with the same
 * dispatch (validation and envelopes) Electron's IPC uses.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? null
  const scheme = options.tls ? 'https' : 'http'
  const logger = options.logger ?? silentLogger
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES

  /** Sends a frame, or drops the client when what it has left unread is over the limit. */
  const deliver = (socket: WebSocket, text: string): void => {
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > maxBuffered) {
      logger.warn(`dropping a web client that left over ${maxBuffered} bytes unread`)
      socket.terminate()
      return
    }
    socket.send(text)
  }
  const send = (socket: WebSocket, frame: ServerFrame): void => deliver(socket, JSON.stringify(frame))
  if (!isLoopbackAddress(host) && !token) {
    throw new Error(`Binding web mode to ${host} exposes it beyond this machine: an access token is required`)
  }

  /**
   * Without a token, only requests addressed to this server's own name get in (DNS rebinding); with
   * one, the token is what protects it and the Host can be any name the operator reaches it by.
   */
  const misdirected = (request: IncomingMessage): string | null => {
    if (token) return null
    const address = http.address() as AddressInfo
    return hostRefusal(request.headers.host, { address: address.address, port: address.port })
  }

  const serveUi = staticFiles(options.staticDir)
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const refusal = misdirected(request)
    if (refusal) {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(refusal)
      return
    }
    const url = new URL(request.url ?? '/', 'http://localhost')
    const tokenProblem = tokenRefusal(request, token)
    if (tokenProblem) {
      sendRefusalPage(response, 401, tokenProblem, request.headers.accept?.includes('text/html') ?? false)
      return
    }
    if (url.pathname === ACCESS_CHECK_PATH) {
      // The page asks here why its API socket was refused: a browser can't read a failed upgrade's status.
      response.writeHead(204, { 'Cache-Control': 'no-store' }).end()
      return
    }
    if (token && url.searchParams.has('token')) {
      // Remember the token for the page's assets and WebSocket, then drop it from the address bar.
      const secure = options.tls ? '; Secure' : ''
      response.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${secure}`)
    }
    const exportId = url.pathname.match(/^\/exports\/([A-Za-z0-9-]{1,64})$/)?.[1]
    if (exportId !== undefined) {
      sendDownload(options.exportFile?.(exportId) ?? null, response)
      return
    }
    serveUi(request, response)
  }
  // With TLS, everything (the page, the API socket, downloads) is served over HTTPS only; the plain
  // HTTP port is not opened at all.
  const http: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(onRequest)

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  // A desktop console reads it to refuse a server of another contract revision in words (remote-engine.ts).
  wss.on('headers', (headers) => headers.push(`${CONTRACT_HEADER}: ${CONTRACT_REVISION}`))
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const refuse = (status: number, reason: string, body = '') => {
      const bytes = Buffer.byteLength(body)
      const type = body ? 'Content-Type: text/plain; charset=utf-8\r\n' : ''
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${type}Content-Length: ${bytes}\r\n\r\n${body}`)
    }
    const refusal = misdirected(request)
    if (refusal) return refuse(421, 'Misdirected Request', refusal)
    if (path !== API_PATH) return refuse(404, 'Not Found')
    if (!isAllowedOrigin(request, scheme)) return refuse(403, 'Forbidden')
    const tokenProblem = tokenRefusal(request, token)
    if (tokenProblem) return refuse(401, 'Unauthorized', tokenProblem.text)
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })

  const handlers: Handlers = { ...options.handlers, ...webShellHandlers }
  const unsubscribe = options.events.onAny((event, payload) => {
    const frame = JSON.stringify({ event, payload } satisfies ServerFrame)
    for (const client of wss.clients) deliver(client, frame)
  })

  wss.on('connection', (socket: WebSocket) => {
    socket.on('error', (error) => logger.warn('web client socket error', error.message))
    socket.on('message', async (data, isBinary) => {
      if (isBinary) {
        send(socket, { id: null, result: fail('bad-request', 'Binary frames are not accepted; send JSON text') })
        return
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(rawToText(data))
      } catch (error) {
        send(socket, { id: null, result: fail('bad-request', `Malformed frame: ${(error as Error).message}`) })
        return
      }
      const frame = CallFrameSchema.safeParse(parsed)
      if (!frame.success) {
        const id = (parsed as { id?: unknown } | null)?.id
        send(socket, {
          id: typeof id === 'number' && Number.isInteger(id) ? id : null,
          result: fail('bad-request', `Malformed call: ${describeIssues(frame.error)}`),
        })
        return
      }
      const result = await dispatch(handlers, frame.data.method, frame.data.input, logger)
      send(socket, { id: frame.data.id, result })
    })
  })

  keepIdleConnections(http)
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const port = (http.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  const url = `${scheme}://${shownHost}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`

  return {
    url,
    port,
    async close() {
      unsubscribe()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
