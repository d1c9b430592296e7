import { once } from 'node:events'
import { createServer as createPlainServer, type Server as PlainServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, type Server, type TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RemoteEngine } from '../../../src/core/remote/remote-engine.ts'
import { parseServerAddress } from '../../../src/shared/engine-choice.ts'
import { makeSelfSignedCertificate, type TestCertificate } from '../../support/certificates.ts'
import { refusal } from '../support/remote-refusal.ts'

let certificate: TestCertificate
let stranger: TestCertificate
beforeAll(async () => {
  certificate = await makeSelfSignedCertificate()
  stranger = await makeSelfSignedCertificate()
})
afterAll(() => {
  certificate.remove()
  stranger.remove()
})

/** A TLS server with the test certificate that answers nothing and keeps every byte a client sends. */
async function listeningTlsServer(): Promise<{ server: Server; port: number; received: () => string }> {
  const chunks: Buffer[] = []
  const server = createServer({ cert: certificate.cert, key: certificate.key }, (socket: TLSSocket) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port, received: () => Buffer.concat(chunks).toString() }
}

const servers: (Server | PlainServer)[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.close()
    if ('closeAllConnections' in server) server.closeAllConnections()
  }
})

describe('the shared-server client’s TLS check', () => {
  it('sends not one byte of the request (nor the token) to a server whose certificate is not trusted', async () => {
    const { server, port, received } = await listeningTlsServer()
    servers.push(server)
    const address = parseServerAddress(`https://127.0.0.1:${port}`)
    const options = { address, token: 'SECRET-TOKEN', connectTimeoutMs: 5000 }

    const unpinned = await refusal(new RemoteEngine({ ...options, pinnedFingerprint: null }))
    expect(unpinned.kind).toBe('certificate')
    expect(unpinned.certificate?.fingerprint).toBe(certificate.fingerprint)
    const wrongPin = await refusal(new RemoteEngine({ ...options, pinnedFingerprint: stranger.fingerprint }))
    expect(wrongPin.kind).toBe('certificate')
    expect(wrongPin.message).toMatch(/^The server's certificate is not the one trusted for it/)
    expect(received()).toBe('')

    // The same server with the right pin gets the upgrade request, token and all: what the check holds back.
    const pinned = new RemoteEngine({ ...options, pinnedFingerprint: certificate.fingerprint, connectTimeoutMs: 500 })
    const attempt = pinned.connect().catch((error: unknown) => error)
    for (let i = 0; i < 200 && !received().includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 10))
    expect(received()).toMatch(/^GET \/api HTTP\/1\.1\r\n/)
    expect(received()).toContain('Authorization: Bearer SECRET-TOKEN')
    // That server never answers the upgrade: the client gives up in words, not by hanging.
    expect(await attempt).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/did not answer in time/),
    })
    await pinned.close()
  })

  it('says so when the address answers without TLS', async () => {
    const plain = createPlainServer((_request, response) => response.end('hello'))
    servers.push(plain)
    plain.listen(0, '127.0.0.1')
    await once(plain, 'listening')
    const port = (plain.address() as AddressInfo).port
    const engine = new RemoteEngine({
      address: parseServerAddress(`127.0.0.1:${port}`),
      token: 't',
      pinnedFingerprint: null,
    })
    const error = await refusal(engine)
    expect(error.kind).toBe('not-headcount')
    expect(error.message).toBe(
      `The server at wss://127.0.0.1:${port} does not answer over TLS: start it with --tls-cert and --tls-key (or check the port)`,
    )
  })
})
