import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { MAX_FRAME_BYTES } from '../../../shared/wire.ts'
import { createWebSocketTransport, diagnoseAccess, type WebSocketTransport } from './ws-transport.ts'

// The browser's WebSocket (Node's global one here) against a server with web mode's frame limit that
// answers each call with its method and input size.
let server: WebSocketServer | undefined
let transport: WebSocketTransport | undefined
const received: string[] = []

afterEach(async () => {
  transport?.close()
  transport = undefined
  received.length = 0
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function connect(onCall?: (socket: ServerSocket, call: { id: number; method: string }) => void) {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_FRAME_BYTES })
  await new Promise((resolve) => server?.once('listening', resolve))
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = String(data)
      const call = JSON.parse(text) as { id: number; method: string }
      received.push(call.method)
      if (onCall) onCall(socket, call)
      else socket.send(JSON.stringify({ id: call.id, result: { ok: true, value: text.length } }))
    })
  })
  transport = createWebSocketTransport(`ws://127.0.0.1:${(server.address() as { port: number }).port}/api`)
  await new Promise<void>((resolve) => transport?.onStateChange((state) => state === 'open' && resolve()))
  return transport
}

describe('the web-mode transport and the frame limit', () => {
  it('refuses only the call that is too large to send, in words, and the others go through', async () => {
    const link = await connect()
    const huge = link.invoke('friends.import', { csv: '\u0001'.repeat(MAX_FRAME_BYTES / 5) })
    const small = link.invoke('settings.get', undefined)
    expect(await huge).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message: expect.stringMatching(
          /^This friends\.import call is \d+\.\d MB, over the \d+\.\d MB one message to the Headcount server can carry; nothing was sent$/,
        ),
      },
    })
    expect(await small).toMatchObject({ ok: true })
    expect(received).toEqual(['settings.get'])
    expect(link.state).toBe('open')
  })

  it('sends a call right up to the limit', async () => {
    const link = await connect()
    const envelope = 80
    const result = await link.invoke('friends.import', { csv: 'a'.repeat(MAX_FRAME_BYTES - envelope) })
    expect(result).toMatchObject({ ok: true })
    expect((result as { value: number }).value).toBeLessThanOrEqual(MAX_FRAME_BYTES)
  })

  it('says the server refused a message for its size when it closes with 1009', async () => {
    const link = await connect((socket, call) => {
      if (call.method === 'too.big') socket.close(1009)
    })
    const pending = link.invoke('slow.call', undefined)
    const refused = link.invoke('too.big', undefined)
    for (const outcome of [await pending, await refused]) {
      expect(outcome).toEqual({
        ok: false,
        error: { code: 'transport', message: expect.stringMatching(/closed the connection: a message was over its/) },
      })
    }
  })
})

describe('the web-mode transport when the server refuses the page', () => {
  /** An HTTP server that refuses every API socket and answers the access check with `refusal` (or 204). */
  async function refusingServer(refusal: string | null) {
    const { createServer } = await import('node:http')
    // Node's WebSocket may send one handshake twice at the HTTP level: attempts are counted by their key.
    const attempts = new Set<string>()
    const http = createServer((request, response) => {
      if (request.url === '/api/access' && refusal) response.writeHead(401).end(refusal)
      else response.writeHead(204).end()
    })
    http.on('upgrade', (request, socket) => {
      attempts.add(String(request.headers['sec-websocket-key']))
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(http.address() as { port: number }).port}`
    return { origin, upgrades: () => attempts.size, close: () => new Promise((resolve) => http.close(resolve)) }
  }

  it('says why in the server’s words, answers calls with it, and stops retrying', async () => {
    const words = 'The server refused the access token: it is not the one this server was started with.'
    const server = await refusingServer(words)
    try {
      transport = createWebSocketTransport(`${server.origin.replace('http', 'ws')}/api`, {
        diagnose: () => diagnoseAccess(server.origin),
      })
      const problem = await new Promise<string | null>((resolve) =>
        transport?.onStateChange((state, why) => state === 'closed' && why && resolve(why)),
      )
      expect(problem).toBe(words)
      expect(transport.problem).toBe(words)
      expect(await transport.invoke('status.get', undefined)).toEqual({
        ok: false,
        error: { code: 'forbidden', message: words },
      })
      // The first retry would come after 250 ms: none comes.
      await new Promise((resolve) => setTimeout(resolve, 600))
      expect(server.upgrades()).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('keeps retrying when the page is let in and the socket merely failed', async () => {
    const server = await refusingServer(null)
    try {
      transport = createWebSocketTransport(`${server.origin.replace('http', 'ws')}/api`, {
        diagnose: () => diagnoseAccess(server.origin),
      })
      for (let i = 0; i < 200 && server.upgrades() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25))
      expect(server.upgrades()).toBeGreaterThanOrEqual(2)
      expect(transport.problem).toBeNull()
    } finally {
      await server.close()
    }
  })
})
