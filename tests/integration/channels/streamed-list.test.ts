// A channel list read as it downloads, over a real socket: a server sends the body in pieces cut inside a
// name, an escape sequence and a number, or cuts it short, or sends malformed JSON across pieces, or more
// than a slow reader takes at once. The result is what the whole body gives; failures are the request's
// own kinds, in words, and leave the presence state as it was.
import type { ServerResponse } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { downloadChannelList } from '../../../src/core/channels/channel-list-download.ts'
import { ChannelsClient } from '../../../src/core/channels/client.ts'
import { ChannelsApiError } from '../../../src/core/channels/errors.ts'
import type { ChunkSource } from '../../../src/core/presence/channel-list-scan.ts'
import { ChannelListFormatError } from '../../../src/core/presence/errors.ts'
import { PresenceState } from '../../../src/core/presence/presence-state.ts'
import { compileConvention } from '../../../src/shared/naming.ts'
import { credentialsFor, FakeApi } from './fake-api.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const convention = compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' })

let api: FakeApi
beforeEach(async () => {
  api = await new FakeApi().start()
})
afterEach(() => api.stop())

/** Writes the pieces one by one, each after the last has left, with a pause between so they arrive apart. */
function sendInPieces(response: ServerResponse, pieces: readonly string[], then: () => void): void {
  response.socket?.setNoDelay(true)
  const send = (index: number) => {
    if (index === pieces.length) return then()
    response.write(pieces[index], () => setTimeout(() => send(index + 1), 30))
  }
  send(0)
}

/** The chunks the scan was handed, as text, and the time each was asked for. */
function recording(source: ChunkSource, into: string[]): ChunkSource {
  return {
    expectedBytes: source.expectedBytes,
    cancel: (reason) => source.cancel(reason),
    async next() {
      const chunk = await source.next()
      if (chunk !== null) into.push(decoder.decode(chunk))
      return chunk
    },
  }
}

const PIECES = [
  '{"channels":{"private-r1-red-u1":{},"private-r1-re',
  'd-u2":{"user_count":12',
  '345},"\\u0070rivate-r2-blue-\\u00',
  '75\\u0033":{},"private-r2-blue-u4":{}}',
  '}',
]
const BODY = PIECES.join('')

describe('a channel list read as it downloads', () => {
  it('gives what the whole body gives when pieces cut a name, an escape and a number', async () => {
    for (const declared of [true, false]) {
      api.responder = (_request, response) => {
        response.writeHead(200, {
          'Content-Type': 'application/json',
          ...(declared ? { 'Content-Length': String(encoder.encode(BODY).byteLength) } : {}),
        })
        sendInPieces(response, PIECES, () => response.end())
      }
      const client = new ChannelsClient(credentialsFor(api.port))
      const presence = new PresenceState(convention)
      const chunks: string[] = []
      const { result, response } = await downloadChannelList(client, 'private-', (body) =>
        presence.ingestChannelList(recording(body, chunks), 1000),
      )
      // The pieces came apart, as sent.
      expect(chunks.join('')).toBe(BODY)
      expect(chunks.length).toBeGreaterThanOrEqual(PIECES.length - 1)
      expect(response.bytes).toBe(encoder.encode(BODY).byteLength)

      const whole = new PresenceState(convention)
      const expected = await whole.ingestChannelList(encoder.encode(BODY), 1000)
      expect(result.total).toBe(4)
      expect(result.channels).toBe(expected.channels)
      expect(result.joins).toEqual(expected.joins)
      expect(presence.rooms()).toEqual(whole.rooms())
    }
  })

  it('reports a body cut short mid-piece as truncated, and changes nothing', async () => {
    const presence = new PresenceState(convention)
    await presence.ingestChannelList(encoder.encode('{"channels":{"private-x-red-y":{}}}'), 500)
    api.responder = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' })
      sendInPieces(response, ['{"channels":{"private-a-red-b":{},"priv', 'ate-c-red-d":{},"private-e-re'], () =>
        response.socket?.destroy(),
      )
    }
    const client = new ChannelsClient(credentialsFor(api.port))
    const error = await downloadChannelList(client, 'private-', (body) => presence.ingestChannelList(body, 1000)).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ChannelsApiError)
    expect((error as ChannelsApiError).failure).toMatchObject({ kind: 'truncated', retryable: true })
    expect((error as ChannelsApiError).failure.message).toMatch(/was cut short: 68 of 500 bytes arrived/)
    expect(presence.rooms()).toEqual([{ room: 'x', count: 1, groups: { red: 1 } }])
    expect(presence.channelCount()).toBe(1)
  })

  it('fails malformed JSON across pieces with the byte and what was wrong, and stops the download', async () => {
    let closed = false
    api.responder = (_request, response) => {
      // Declared long, and never finished: only giving the download up ends it.
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' })
      response.socket?.on('close', () => (closed = true))
      sendInPieces(response, ['{"channels":{"private-a-red-b":{"n":1', '2.}}}'], () => {})
    }
    // A deadline far away: the error must come from the body, not from waiting.
    const client = new ChannelsClient(credentialsFor(api.port), { timeoutMs: 120_000 })
    const presence = new PresenceState(convention)
    const error = await downloadChannelList(client, 'private-', (body) => presence.ingestChannelList(body, 1000)).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ChannelListFormatError)
    expect((error as Error).message).toBe('Malformed channel list at byte 39: invalid number: digits must follow "."')
    await expect.poll(() => closed).toBe(true)
    expect(presence.channelCount()).toBe(0)
  })

  it('tells a web page answered with 200 from a malformed list', async () => {
    api.reply(200, '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html')
    const client = new ChannelsClient(credentialsFor(api.port))
    const error = await downloadChannelList(client, 'private-', (body) =>
      new PresenceState(convention).ingestChannelList(body, 1000),
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ChannelsApiError)
    expect((error as ChannelsApiError).failure.kind).toBe('not-channels-api')
  })

  it('holds a fast download for a slow reader without counting that against the deadline', async () => {
    // About 4 MB, sent as fast as the socket takes it; the reader takes a chunk every 40 ms.
    const names = Array.from({ length: 100_000 }, (_, i) => `"private-room${i % 97}-red-user${i}":{}`)
    const text = `{"channels":{${names.join(',')}}}`
    api.responder = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(text.length) })
      response.end(text)
    }
    const client = new ChannelsClient(credentialsFor(api.port), { timeoutMs: 1500 })
    const presence = new PresenceState(convention)
    let taken = 0
    let reads = 0
    const slow = (source: ChunkSource): ChunkSource => ({
      expectedBytes: source.expectedBytes,
      cancel: (reason) => source.cancel(reason),
      async next() {
        await new Promise((resolve) => setTimeout(resolve, 40))
        const chunk = await source.next()
        taken += chunk?.byteLength ?? 0
        reads++
        return chunk
      },
    })
    const { result } = await downloadChannelList(client, 'private-', (body) =>
      presence.ingestChannelList(slow(body), 1000),
    )
    expect(result.total).toBe(100_000)
    expect(taken).toBe(text.length)
    // The reader alone took longer than the deadline, which therefore stood still while it was behind.
    expect(reads * 40).toBeGreaterThan(1500)
  })
})
