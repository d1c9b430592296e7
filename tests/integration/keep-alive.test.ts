// Idle HTTP connections: Node closes them after 5 s by default, so a client whose pool keeps one longer
// (Pusher's webhook sender, an SDK's keep-alive agent, a third-party protocol suite) writes into a
// closing socket and gets "socket hang up" or EPIPE. Every HTTP server here keeps them 65 s: checked
// with a real pooled agent across a 6.5 s idle, and through the Keep-Alive header each server sends.
import { Agent, request, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { KEEP_ALIVE_TIMEOUT_MS } from '../../src/core/http-keep-alive.ts'
import { WebhookReceiver } from '../../src/core/sync/webhook-receiver.ts'
import { KEEP_ALIVE_TIMEOUT_MS as EMULATOR_KEEP_ALIVE_MS, startEmulator } from '../../src/emulator/index.ts'
import { sleep } from './emulator/helpers.ts'
import { startWebMode } from './helpers/web-mode.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Answer {
  status: number
  keepAlive: string | undefined
  reusedSocket: boolean
}

/** One request through `agent`, the body read to the end so the socket goes back to the pool. */
function call(agent: Agent, url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent, method }, (response: IncomingMessage) => {
      response.resume()
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          keepAlive: response.headers['keep-alive']?.toString(),
          reusedSocket: outgoing.reusedSocket,
        }),
      )
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('idle HTTP connections are kept at least 60 s', () => {
  it('by the emulator, web mode and the webhook receiver, across a 6.5 s idle in a pooled agent', async () => {
    expect(EMULATOR_KEEP_ALIVE_MS).toBeGreaterThanOrEqual(60_000)
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000)

    const emulator = await startEmulator()
    cleanups.push(() => emulator.close())
    const web = await startWebMode()
    cleanups.push(() => web.close())
    const receiver = new WebhookReceiver({ host: '127.0.0.1', port: 0, verify: () => false, onEvents: () => {} })
    await receiver.start()
    cleanups.push(() => receiver.stop())

    const targets = {
      emulator: { url: `http://127.0.0.1:${emulator.port}/emulator/stats`, method: 'GET' },
      web: { url: `http://127.0.0.1:${web.server.port}/`, method: 'GET' },
      // A GET is refused with 405 at once: enough to exercise the connection.
      receiver: { url: `http://127.0.0.1:${receiver.port}/`, method: 'GET' },
    }
    const agents = Object.fromEntries(
      Object.keys(targets).map((name) => [name, new Agent({ keepAlive: true, maxSockets: 1 })]),
    )
    cleanups.push(() => Object.values(agents).forEach((agent) => agent.destroy()))

    const firstStatus: Record<string, number> = {}
    for (const [name, { url, method }] of Object.entries(targets)) {
      const first = await call(agents[name]!, url, method)
      firstStatus[name] = first.status
      expect(first.reusedSocket, name).toBe(false)
      // Node announces the server's idle timeout in seconds.
      expect(first.keepAlive, name).toBe('timeout=65')
    }
    // Longer than Node's default 5 s idle timeout, which would have closed every one of these sockets.
    await sleep(6_500)
    for (const [name, { url, method }] of Object.entries(targets)) {
      const second = await call(agents[name]!, url, method)
      expect(second.status, name).toBe(firstStatus[name])
      expect(second.reusedSocket, `${name} answered on the pooled connection`).toBe(true)
    }
  }, 30_000)
})
