import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { MAX_FRAME_BYTES } from '../../../shared/wire.ts'
import { createWebSocketTransport, type WebSocketTransport } from './ws-transport.ts'

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
