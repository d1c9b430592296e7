import { createServer } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChannelsClient, RequestAbortedError } from '../../../src/core/channels/client.ts'
import { ChannelsApiError, type Failure } from '../../../src/core/channels/errors.ts'
import { credentialsFor, FakeApi } from './fake-api.ts'

let api: FakeApi
beforeEach(async () => {
  api = await new FakeApi().start()
})
afterEach(() => api.stop())

async function failureOf(client: ChannelsClient): Promise<Failure> {
  const error = await client.listChannels('private-').catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(ChannelsApiError)
  return (error as ChannelsApiError).failure
}

describe('ChannelsClient', () => {
  it('signs a channel list request with the SDK and returns the raw body', async () => {
    api.reply(200, '{"channels":{"private-a-b":{}}}')
    const result = await new ChannelsClient(credentialsFor(api.port)).listChannels('private-')
    expect(new TextDecoder().decode(result.body)).toBe('{"channels":{"private-a-b":{}}}')
    const query = new URLSearchParams(api.requests[0]?.split('?')[1])
    expect(api.requests[0]).toMatch(/^\/apps\/1\/channels\?/)
    expect(query.get('filter_by_prefix')).toBe('private-')
    expect(query.get('auth_key')).toBe('key')
    expect(query.get('auth_signature')).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each([
    [401, 'Unknown auth_key', 'auth', /Wrong key or secret/, false],
    [
      401,
      'Timestamp expired: Given timestamp (2026-01-01T00:00:00Z) not within 600s of server time',
      'auth',
      /timestamp/,
      false,
    ],
    [403, 'App disabled', 'over-quota', /disabled or over its message quota/, true],
    [404, 'Unknown app', 'app-not-found', /App not found/, false],
    [413, 'Payload too large', 'too-large', /too large/, false],
    [429, 'Too many requests', 'rate-limited', /Rate limited/, true],
    [500, 'Internal error', 'server-error', /HTTP 500/, true],
    [503, '', 'server-error', /HTTP 503/, true],
    [400, 'info=user_count requires presence- prefix', 'bad-request', /HTTP 400/, false],
  ])('classifies HTTP %i as %s', async (status, body, kind, message, retryable) => {
    api.reply(status, body, 'text/plain')
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port)))
    expect(failure).toMatchObject({ kind, status, retryable })
    expect(failure.message).toMatch(message)
    expect(failure.hint.length).toBeGreaterThan(10)
    if (body) expect(failure.message).toContain(body.slice(0, 20))
  })

  it('returns a large body byte for byte, with a declared length or without one (chunked)', async () => {
    // About 3 MB of channels: many chunks on the way.
    const names = Array.from({ length: 60_000 }, (_, i) => `"private-room${i % 97}-u${i}":{}`)
    const text = `{"channels":{${names.join(',')}}}`
    for (const declared of [true, false]) {
      api.responder = (_request, response) => {
        response.writeHead(200, {
          'Content-Type': 'application/json',
          ...(declared ? { 'Content-Length': String(Buffer.byteLength(text)) } : {}),
        })
        // Written in pieces, so the body arrives in several chunks whatever the socket does.
        const step = 100_000
        for (let at = 0; at < text.length; at += step) response.write(text.slice(at, at + step))
        response.end()
      }
      const result = await new ChannelsClient(credentialsFor(api.port)).listChannels('private-')
      expect(result.body.length).toBe(Buffer.byteLength(text))
      expect(new TextDecoder().decode(result.body)).toBe(text)
    }
  })

  it('says a refused signature in plain words, without the string the server expected to be signed', async () => {
    const { startEmulator } = await import('../../../src/emulator/index.ts')
    const emulator = await startEmulator()
    try {
      const client = new ChannelsClient({
        appId: emulator.appId,
        key: emulator.key,
        secret: 'not-the-secret',
        target: { kind: 'host', host: '127.0.0.1', port: emulator.port, useTLS: false },
      })
      const failure = await failureOf(client)
      expect(failure).toMatchObject({ kind: 'auth', status: 401, retryable: false })
      expect(failure.message).toBe('Wrong key or secret: the server refused the signature')
      expect(failure.message).not.toMatch(/\\n|HmacSHA256|auth_key|auth_timestamp/)
      expect(failure.hint).toMatch(/App Keys/)
    } finally {
      await emulator.close()
    }
  })

  it('reports a body cut short as truncated, in words', async () => {
    api.responder = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
      response.write('{"channels":{"private-a-b":{}', () => response.socket?.destroy())
    }
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port)))
    expect(failure).toMatchObject({ kind: 'truncated', retryable: true, status: null })
    expect(failure.message).toMatch(/^The answer from http:\/\/127\.0\.0\.1:\d+ was cut short: 29 of 100 bytes arrived/)
  })

  it('gives up a body that does not finish within the deadline', async () => {
    api.responder = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
      response.write('{"channels":')
    }
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port), { timeoutMs: 300 }))
    expect(failure).toMatchObject({ kind: 'timeout', retryable: true })
    expect(failure.message).toMatch(/did not finish within 300 ms: 12 of 100 bytes arrived$/)
  })

  it('gives a request up at once when its signal is aborted', async () => {
    api.responder = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
      response.write('{"channels":')
    }
    const controller = new AbortController()
    const pending = new ChannelsClient(credentialsFor(api.port), { timeoutMs: 60_000 })
      .listChannels('private-', { signal: controller.signal })
      .catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 100))
    controller.abort()
    expect(await pending).toBeInstanceOf(RequestAbortedError)
  })

  it('does not follow a redirect, and says so', async () => {
    api.responder = (_request, response) => response.writeHead(301, { Location: 'https://elsewhere.example/' }).end()
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port)))
    expect(failure).toMatchObject({ kind: 'not-channels-api', status: 301, retryable: false })
    expect(failure.message).toMatch(/redirected the request elsewhere \(HTTP 301\)/)
    expect(api.requests).toHaveLength(1)
  })

  it('recognises a web page where the API should be', async () => {
    api.reply(404, '<!DOCTYPE html><html><body>Not found</body></html>', 'text/html')
    expect(await failureOf(new ChannelsClient(credentialsFor(api.port)))).toMatchObject({ kind: 'not-channels-api' })
  })

  it('reports a server that never answers as a timeout', async () => {
    api.responder = () => {}
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port), { timeoutMs: 300 }))
    expect(failure).toMatchObject({ kind: 'timeout', retryable: true })
    expect(failure.message).toMatch(/^No answer from http:\/\/127\.0\.0\.1:\d+ within 300 ms$/)
  })

  it('reports a closed port as the network, in words', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    const failure = await failureOf(new ChannelsClient(credentialsFor(port)))
    expect(failure).toMatchObject({ kind: 'network', retryable: true })
    expect(failure.message).toMatch(/nothing is listening there/)
  })

  it('reports TLS spoken to a plain HTTP port as a TLS failure', async () => {
    const failure = await failureOf(new ChannelsClient(credentialsFor(api.port, true)))
    expect(failure).toMatchObject({ kind: 'tls', retryable: false })
  })

  it('reports an unknown host name', async () => {
    const client = new ChannelsClient({
      ...credentialsFor(80),
      target: { kind: 'host', host: 'no-such-host.invalid', port: null, useTLS: false },
    })
    const failure = await failureOf(client)
    expect(failure.kind).toBe('network')
    expect(failure.message).toMatch(/does not resolve|could not be resolved/)
  })
})
