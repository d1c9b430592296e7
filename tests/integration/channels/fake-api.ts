import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Responder = (request: IncomingMessage, response: ServerResponse) => void

/**
 * A local HTTP server whose answers each test scripts, for failures a real Channels server can't be
 * made to produce on demand (429, 5xx, HTML pages, hangs). The success paths are tested against the
 * emulator instead.
 */
export class FakeApi {
  responder: Responder = (_request, response) => response.writeHead(200).end('{"channels":{}}')
  readonly requests: string[] = []
  private readonly server: Server
  port = 0

  constructor() {
    this.server = createServer((request, response) => {
      this.requests.push(request.url ?? '')
      this.responder(request, response)
    })
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  reply(status: number, body: string, contentType = 'application/json'): void {
    this.responder = (_request, response) => response.writeHead(status, { 'Content-Type': contentType }).end(body)
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

export function credentialsFor(port: number, useTLS = false) {
  return {
    appId: '1',
    key: 'key',
    secret: 'secret',
    target: { kind: 'host' as const, host: '127.0.0.1', port, useTLS },
  }
}
