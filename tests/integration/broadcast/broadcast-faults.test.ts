// Failures the emulator can't be made to produce on demand (429, a server with a smaller size limit),
// scripted on a local fake Channels API: the engine polls its channel list and posts batches to it.
import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import type { RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import type { Status } from '../../../src/shared/status.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { credentialsFor, FakeApi } from '../channels/fake-api.ts'
import { EngineHarness } from '../engine/engine-harness.ts'
import { FAST, WITH_GROUPS } from './helpers.ts'

interface BatchBody {
  batch: Array<{ channel: string; name: string; data: string }>
}

/** A fake Channels API: a channel list the test sets, and batch_events answered by `answer`. */
class FakeChannels {
  readonly api = new FakeApi()
  channels: string[] = []
  /** Status for a batch request (200 accepts it). */
  answer: (body: BatchBody) => number = () => 200
  readonly accepted: BatchBody[] = []
  readonly refused: Array<{ status: number; body: BatchBody }> = []

  async start(): Promise<this> {
    this.api.responder = (request, response) => {
      void readBody(request).then((raw) => {
        const path = new URL(request.url ?? '/', 'http://x').pathname
        if (request.method === 'POST' && path.endsWith('/batch_events')) {
          const body = JSON.parse(raw) as BatchBody
          const status = this.answer(body)
          if (status === 200) this.accepted.push(body)
          else this.refused.push({ status, body })
          response
            .writeHead(status, { 'Content-Type': 'application/json' })
            .end(status === 200 ? '{}' : `refused with ${status}`)
        } else if (path.endsWith('/users')) {
          response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"users":[]}')
        } else {
          const channels = Object.fromEntries(this.channels.map((name) => [name, {}]))
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ channels }))
        }
      })
    }
    await this.api.start()
    return this
  }

  summaries(bodies: BatchBody[]): RoomSummaryPayload[] {
    return bodies.flatMap((body) => body.batch.map((event) => JSON.parse(event.data) as RoomSummaryPayload))
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

let fake: FakeChannels | undefined
let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  await fake?.api.stop()
  harness = undefined
  fake = undefined
})

async function connect(server: FakeChannels) {
  const h = new EngineHarness()
  harness = h
  const { secret, ...connection } = credentialsFor(server.api.port)
  const profile = await h.handlers['profiles.save']({
    name: 'fake',
    connection,
    secret,
    convention: WITH_GROUPS,
    sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
  })
  await h.handlers['connection.connect']({ id: profile.id })
  return { h, id: profile.id }
}

const broadcastStates = (h: EngineHarness) =>
  h.events('status').flatMap((status: Status) => (status.broadcast ? [status.broadcast] : []))

describe('the broadcaster when the server refuses', () => {
  it('backs off on 429 and then sends the latest state, not the ticks it missed', async () => {
    fake = await new FakeChannels().start()
    fake.channels = ['private-lobby-red-ana', 'private-lobby-red-ben', 'private-lobby-blue-cy']
    fake.answer = () => 429
    const { h, id } = await connect(fake)
    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    const failing = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.broadcast?.state === 'failing',
      'failing',
    )
    expect(failing.broadcast?.lastError).toMatchObject({ kind: 'rate-limited', status: 429, attempts: 1 })
    expect(failing.broadcast?.lastError?.hint).toMatch(/backs off/)
    expect(fake.summaries(fake.refused.map((r) => r.body)).map((s) => s.count)).toContain(3)

    // While backing off, the room changes; then the server recovers.
    fake.channels = [...fake.channels, 'private-lobby-red-dee', 'private-lobby-red-eve']
    h.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 5,
      'five present',
    )
    fake.answer = () => 200
    await h.until(
      () => fake?.accepted.length ?? 0,
      (n) => n > 0,
      'a batch accepted',
    )
    const recovered = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.broadcast?.state === 'on',
      'on again',
    )
    expect(recovered.broadcast?.lastError).toBeNull()
    // What went out after the backoff was the latest state only, never the count of 3 it could not send.
    expect(fake.summaries(fake.accepted).every((summary) => summary.count === 5)).toBe(true)
    expect(fake.summaries(fake.accepted)[0]).toMatchObject({ room: 'lobby', count: 5, groups: { red: 4, blue: 1 } })
  })

  it('on 413 reports it, makes events smaller and gets every group through in parts', async () => {
    fake = await new FakeChannels().start()
    // 300 people in 300 groups: a summary of about 4 KB.
    fake.channels = Array.from({ length: 300 }, (_, i) => `private-hall-g${String(i).padStart(3, '0')}-u${i}`)
    // A server whose limit is 2,000 bytes, not Pusher's 10 KB.
    fake.answer = (body) => (body.batch.some((event) => Buffer.byteLength(event.data) > 2000) ? 413 : 200)
    const { h, id } = await connect(fake)
    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    await h.until(
      () => fake?.accepted.length ?? 0,
      (n) => n > 0,
      'parts accepted',
    )
    const status = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.broadcast?.state === 'on',
      'on',
    )

    expect(fake.refused.every((refusal) => refusal.status === 413)).toBe(true)
    expect(fake.refused.length).toBeGreaterThan(0)
    const reported = broadcastStates(h).find((state) => state.lastError !== null)?.lastError
    expect(reported).toMatchObject({ kind: 'too-large', status: 413 })
    expect(reported?.message).toMatch(/too large/)
    const parts = fake.summaries(fake.accepted)
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.every((part) => part.count === 300 && part.parts === parts.length)).toBe(true)
    expect(Object.keys(Object.assign({}, ...parts.map((part) => part.groups))).sort()).toHaveLength(300)
    expect(status.broadcast?.splitEvents).toBe(1)
    expect(status.broadcast?.truncatedEvents).toBe(0)
  })

  it('on 413 for a request of many events, finds the limit is per request: fewer events per request, events whole', async () => {
    fake = await new FakeChannels().start()
    // 30 rooms: 30 summaries of under 100 bytes each.
    fake.channels = Array.from({ length: 30 }, (_, i) => `private-room${i}-red-u${i}`)
    // A server that refuses a request carrying over 600 bytes of event data, whatever the size of each event.
    const dataBytes = (body: BatchBody) => body.batch.reduce((sum, event) => sum + Buffer.byteLength(event.data), 0)
    fake.answer = (body) => (dataBytes(body) > 600 ? 413 : 200)
    const { h, id } = await connect(fake)
    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    await h.until(
      () => new Set(fake?.summaries(fake.accepted).map((summary) => summary.room)).size,
      (n) => n === 30,
      'every room accepted',
      15_000,
    )
    const status = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.broadcast?.state === 'on',
      'on',
    )
    expect(fake.refused.length).toBeGreaterThan(0)
    expect(fake.refused.every((refusal) => refusal.status === 413 && refusal.body.batch.length > 1)).toBe(true)
    expect(fake.accepted.every((body) => dataBytes(body) <= 600)).toBe(true)
    // The events kept their size: nothing was split into parts.
    expect(fake.summaries(fake.accepted).every((summary) => summary.parts === undefined)).toBe(true)
    expect(status.broadcast?.splitEvents).toBe(0)
    const reported = broadcastStates(h).find((state) => state.lastError !== null)?.lastError
    expect(reported).toMatchObject({ kind: 'too-large', status: 413 })
    expect(reported?.message).toMatch(/accepted its largest event alone: its limit is on the size of a request/)
    expect(reported?.hint).toMatch(/fewer events per request/)
  })

  it('reports a 4xx refusal in words, with the reason the server gave', async () => {
    fake = await new FakeChannels().start()
    fake.channels = ['private-lobby-red-ana']
    fake.answer = () => 401
    const { h, id } = await connect(fake)
    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    const failing = await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.broadcast?.state === 'failing',
      'failing',
    )
    expect(failing.broadcast?.lastError).toMatchObject({ kind: 'auth', status: 401 })
    expect(failing.broadcast?.lastError?.message).toMatch(/refused with 401/)
  })
})
