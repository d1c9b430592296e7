import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { RemoteEngine } from '../../../src/core/remote/remote-engine.ts'
import { parseServerAddress } from '../../../src/shared/engine-choice.ts'
import { CONTRACT_HEADER, CONTRACT_REVISION } from '../../../src/shared/wire.ts'
import { refusal } from '../support/remote-refusal.ts'

/**
 * A server that accepts the API socket like `headcount serve` does, saying the given contract revision
 * (or none, as Headcount did before it said one), and counts the upgrades it accepted.
 */
async function serverSaying(revision: string | null): Promise<{ server: Server; url: string; upgrades: () => number }> {
  const wss = new WebSocketServer({ noServer: true })
  if (revision !== null) wss.on('headers', (headers) => headers.push(`${CONTRACT_HEADER}: ${revision}`))
  let upgrades = 0
  const server = createServer((_request, response) => response.writeHead(404).end())
  server.on('upgrade', (request, socket, head) => {
    upgrades++
    wss.handleUpgrade(request, socket, head, (ws) => ws.on('error', () => {}))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upgrades: () => upgrades,
  }
}

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.close()
    server.closeAllConnections()
  }
})

async function open(revision: string | null) {
  const served = await serverSaying(revision)
  servers.push(served.server)
  const engine = new RemoteEngine({
    address: parseServerAddress(served.url),
    token: null,
    pinnedFingerprint: null,
    connectTimeoutMs: 5000,
    retryDelaysMs: [20],
  })
  return { engine, served }
}

describe('a shared server of another contract revision', () => {
  it('is connected to when it speaks this console’s revision', async () => {
    const { engine } = await open(String(CONTRACT_REVISION))
    await engine.connect()
    expect(engine.state).toBe('connected')
    await engine.close()
  })

  it('is refused in words, as a lasting refusal, when it says no revision (an older Headcount)', async () => {
    const { engine } = await open(null)
    const error = await refusal(engine)
    expect(error.kind).toBe('version')
    expect(error.lasting).toBe(true)
    expect(error.message).toContain('runs an older version of Headcount')
    expect(error.message).toContain(`this console speaks revision ${CONTRACT_REVISION}`)
    expect(error.message).toContain('Update the server')
  })

  it('asks to update this console when the server’s revision is newer, and the server when it is older', async () => {
    const newer = await refusal((await open(String(CONTRACT_REVISION + 1))).engine)
    expect(newer.message).toContain(`revision ${CONTRACT_REVISION + 1}`)
    expect(newer.message).toContain('Update this console')
    const older = await refusal((await open(String(CONTRACT_REVISION - 1))).engine)
    expect(older.message).toContain(`revision ${CONTRACT_REVISION - 1}`)
    expect(older.message).toContain('Update the server')
    const garbage = await refusal((await open('two')).engine)
    expect(garbage.kind).toBe('version')
  })

  it('is not retried in the background: the link says refused, with why, after one attempt', async () => {
    const { engine, served } = await open('1')
    const changed = new Promise<void>((resolve) => engine.onStateChange(() => resolve()))
    engine.start()
    await changed
    expect(engine.state).toBe('refused')
    expect(engine.problem).toContain('Update the server')
    // Well past the 20 ms retry delay: a retryable failure would have tried again by now.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(served.upgrades()).toBe(1)
    await engine.close()
  })
})
