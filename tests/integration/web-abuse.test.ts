import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { apiUrl, ApiSocket, startWebMode, type WebMode } from './helpers/web-mode.ts'

let mode: WebMode | undefined
afterEach(async () => {
  await mode?.close()
  mode = undefined
})

/** The client's own TCP socket: pausing it makes a client that never reads what the server sends. */
function rawSocketOf(socket: WebSocket): Socket {
  return (socket as unknown as { _socket: Socket })._socket
}

describe("web mode's API socket under abuse", () => {
  it('answers deeply nested JSON in words and keeps serving', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const depth = 200_000
    client.socket.send(`{"id":1,"method":"settings.update","input":${'['.repeat(depth)}${']'.repeat(depth)}}`)
    expect(await client.next((frame) => 'id' in frame && frame.id === 1)).toMatchObject({
      result: { ok: false, error: { code: 'bad-request' } },
    })
    client.socket.send(
      `{"id":2,"method":"settings.update","input":{"theme":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
    )
    expect(await client.next((frame) => 'id' in frame && frame.id === 2)).toMatchObject({
      result: { ok: false, error: { code: 'bad-request' } },
    })
    expect(await client.call(3, 'settings.get')).toMatchObject({ result: { ok: true } })
    client.close()
  }, 60_000)

  it(
    'drops a client that never reads once too much is waiting for it, and others carry on',
    { timeout: 120_000 },
    async () => {
      mode = await startWebMode({ maxBufferedBytes: 1024 * 1024 })
      const reader = await ApiSocket.open(apiUrl(mode.server))
      const stalled = await ApiSocket.open(apiUrl(mode.server))
      let closed = false
      stalled.socket.once('close', () => (closed = true))
      rawSocketOf(stalled.socket).pause()
      // Each call is answered with a few hundred bytes: far more in all than the cap and the kernel's buffers.
      const calls = 50_000
      const method = `no.such.method.${'x'.repeat(180)}`
      for (let id = 0; id < calls; id++) stalled.socket.send(JSON.stringify({ id, method }))
      while (stalled.socket.bufferedAmount > 0) await new Promise((resolve) => setTimeout(resolve, 50))
      // The server is alive and answers a client that reads.
      expect(await reader.call(1, 'settings.get')).toMatchObject({ result: { ok: true } })
      rawSocketOf(stalled.socket).resume()
      // Either the server dropped it, or (the bug) every reply was kept for it and arrives now.
      while (!closed && stalled.frames.length < calls) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(closed).toBe(true)
      expect(stalled.frames.length).toBeLessThan(calls)
      expect(await reader.call(2, 'settings.get')).toMatchObject({ result: { ok: true } })
      reader.close()
    },
  )
})
