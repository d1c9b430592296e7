// A body read a chunk at a time as it downloads must give exactly what the same bytes give whole: the
// same rooms, counts, joins and leaves, and for a malformed body the same error at the same byte, wherever
// the chunks are cut (inside a name, an escape sequence, a number, a word), and the state untouched when
// the download fails part-way.
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../shared/seeded-random.ts'
import { compileConvention, type NamingConvention } from '../../shared/naming.ts'
import type { ChunkSource } from './channel-list-scan.ts'
import { ChannelListFormatError } from './errors.ts'
import { joinsOf } from './joins.ts'
import { PresenceState } from './presence-state.ts'
import type { IngestResult } from './types.ts'

const encoder = new TextEncoder()
const TEMPLATE: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }
const REGEX: NamingConvention = { kind: 'regex', pattern: 'private-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>.+)' }

/** A download as the scan sees it: the given chunks, one per turn of the event loop, then the end or `failure`. */
class Chunks implements ChunkSource {
  readonly expectedBytes: number | null
  cancelled: unknown = null
  private taken = 0
  private readonly chunks: Uint8Array[]
  private readonly failure: Error | null

  constructor(chunks: Uint8Array[], failure: Error | null = null, declared = true) {
    this.chunks = chunks
    this.failure = failure
    this.expectedBytes = declared ? chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0) : null
  }

  async next(): Promise<Uint8Array | null> {
    await new Promise((resolve) => setImmediate(resolve))
    if (this.taken < this.chunks.length) return this.chunks[this.taken++] as Uint8Array
    if (this.failure !== null) throw this.failure
    return null
  }

  cancel(reason: unknown): void {
    this.cancelled = reason
  }
}

/** The body cut at the given offsets. */
function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [0, ...at, bytes.byteLength]
  return points.slice(1).map((end, i) => bytes.slice(points[i], end))
}

/** Every `size` bytes. */
function every(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.slice(at, at + size))
  return chunks
}

/** What a reader of an ingest sees. */
function seen(result: IngestResult, state: PresenceState) {
  return {
    channels: result.channels,
    unmatched: result.unmatched,
    total: result.total,
    joinCount: result.joinCount,
    leaveCount: result.leaveCount,
    joins: [...joinsOf(result)],
    leaves: result.leaves,
    rooms: state.rooms(),
  }
}

// Names, escapes (two-byte, a surrogate pair, an escaped quote) and attribute values of every JSON kind,
// so that some cut falls inside each.
const TRICKY = encoder.encode(
  '{ "other" : {"n":[1,-2.5e+3,true,false,null,"x\\"y"]}, "channels" : {' +
    '"private-r1-red-u1":{},' +
    '"private-r1-red-\\u00e9l\\u00e8ve" : {"user_count":12345},' +
    '"private-r2-blue-u\\"q":{ "subscription_count" : 7 },' +
    '"private-r2-blue-\\ud83d\\ude00":{"a":[0.5,{"b":null}]},' +
    '"\\u0070rivate-r3-red-u3":{},' +
    '"private-r3-red-u4":{}, "unmatched-name":{},"private-r4-red-\\u0075\\u0035":{}' +
    '} , "code" : 200 }  \n',
)

describe('a channel list read a chunk at a time', () => {
  for (const convention of [TEMPLATE, REGEX]) {
    it(`gives what the whole body gives, cut anywhere in two or byte by byte (${convention.kind})`, async () => {
      const compiled = compileConvention(convention)
      const whole = new PresenceState(compiled)
      const expected = seen(await whole.ingestChannelList(TRICKY, 1000), whole)
      // Users with a quote or beyond ASCII are not participants under these conventions: unmatched.
      expect(expected.total).toBe(4)
      expect(expected.unmatched).toBe(4)
      const cuts: Uint8Array[][] = [every(TRICKY, 1), every(TRICKY, 3)]
      for (let at = 1; at < TRICKY.byteLength; at++) cuts.push(cut(TRICKY, [at]))
      for (const chunks of cuts) {
        const state = new PresenceState(compiled)
        const result = await state.ingestChannelList(new Chunks(chunks), 1000)
        expect(seen(result, state)).toEqual(expected)
      }
    })
  }

  it('gives the same joins and leaves over polls in the same order, another order and with churn', async () => {
    const next = seededRandom(15)
    const users = Array.from({ length: 3000 }, (_, i) => `private-room${i % 37}-${i % 3 ? 'red' : 'blue'}-u${i}`)
    const polls: string[][] = [users, users, users.slice().reverse()]
    // 1 % churn, in a shuffled order.
    const churned = users
      .filter(() => next() > 0.01)
      .concat(Array.from({ length: 30 }, (_, i) => `private-new-red-n${i}`))
    polls.push(churned.sort(() => next() - 0.5))
    const bodies = polls.map((names) =>
      encoder.encode(
        `{"channels":{${names.map((name, i) => `"${name}":${i % 50 ? '{}' : '{"user_count":1}'}`).join(',')}}}`,
      ),
    )
    const compiled = compileConvention(TEMPLATE)
    for (const size of [7, 61, 4096]) {
      const whole = new PresenceState(compiled)
      const chunked = new PresenceState(compiled)
      for (const [i, bytes] of bodies.entries()) {
        const expected = seen(await whole.ingestChannelList(bytes, 1000 + i), whole)
        const result = await chunked.ingestChannelList(new Chunks(every(bytes, size), null, i % 2 === 0), 1000 + i)
        expect(seen(result, chunked)).toEqual(expected)
      }
    }
  })

  it('fails a malformed body with the error the whole body gives, wherever it is cut, and changes nothing', async () => {
    const malformed = [
      '{"channels":{"private-a-red-b":{},"private-c-red-d" {}}}',
      '{"channels":{"private-a-red-b":{"n":1.}}}',
      '{"channels":{"private-a-red-b":{"n":-}}}',
      '{"channels":{"private-a-red-\\x":{}}}',
      '{"channels":{"private-a-red-\\u00g9":{}}}',
      '{"channels":{"private-a-red-b":{"ok":tru}}}',
      '{"channels":{"private-a-red-b":{}}} x',
      '{"channels":{"private-a-red-b":{}}',
      '{"channels":{"private-a-red-b":{"user_count":12',
      '{"channels":{"private-a-red-b":{},}}',
      '{"channels":[]}',
      '{"nothing":1}',
    ].map((text) => encoder.encode(text))
    const compiled = compileConvention(TEMPLATE)
    const before = encoder.encode('{"channels":{"private-x-red-y":{}}}')
    for (const bytes of malformed) {
      const whole = new PresenceState(compiled)
      const error = await whole.ingestChannelList(bytes, 1000).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ChannelListFormatError)
      const message = (error as Error).message
      for (let at = 1; at < bytes.byteLength; at++) {
        const state = new PresenceState(compiled)
        await state.ingestChannelList(before, 500)
        const source = new Chunks(cut(bytes, [at]))
        const failure = await state.ingestChannelList(source, 1000).catch((caught: unknown) => caught)
        expect(failure).toBeInstanceOf(ChannelListFormatError)
        expect((failure as Error).message).toBe(message)
        // The download is told to stop.
        expect(source.cancelled).toBe(failure)
        expect(state.rooms()).toEqual([{ room: 'x', count: 1, groups: { red: 1 } }])
      }
    }
  })

  it('fails with the download’s own error when it fails part-way, and changes nothing', async () => {
    const compiled = compileConvention(TEMPLATE)
    const state = new PresenceState(compiled)
    await state.ingestChannelList(encoder.encode('{"channels":{"private-x-red-y":{}}}'), 500)
    const bytes = encoder.encode('{"channels":{"private-a-red-b":{},"private-c-red-d":{},"private-e-red-f":{}}}')
    const broken = new Error('the connection closed mid-answer')
    const failure = await state
      .ingestChannelList(new Chunks(cut(bytes, [20, 41]), broken), 1000)
      .catch((caught: unknown) => caught)
    expect(failure).toBe(broken)
    expect(state.rooms()).toEqual([{ room: 'x', count: 1, groups: { red: 1 } }])
    expect(state.channelCount()).toBe(1)
    // The next good list applies as if the failed one never came.
    const result = await state.ingestChannelList(new Chunks(every(bytes, 5)), 2000)
    expect(result.joinCount).toBe(3)
    expect(result.leaveCount).toBe(1)
  })

  it('lets the event loop run every slice even when every chunk is already waiting', async () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `"private-room${i % 97}-red-user${i}":{}`)
    const bytes = encoder.encode(`{"channels":{${names.join(',')}}}`)
    const chunks = every(bytes, 4096)
    // Chunks handed over at once, without a turn of the event loop (as a download that is ahead does).
    let turns = 0
    let turnsWhenRead = -1
    let taken = 0
    const ready: ChunkSource = {
      expectedBytes: bytes.byteLength,
      cancel: () => {},
      next: () => {
        if (taken === chunks.length) turnsWhenRead = turns
        return Promise.resolve(chunks[taken++] ?? null)
      },
    }
    let counting = true
    const count = () => {
      turns++
      if (counting) setImmediate(count)
    }
    setImmediate(count)
    const state = new PresenceState(compileConvention(TEMPLATE), { sliceMs: 1 })
    const result = await state.ingestChannelList(ready, 1000)
    counting = false
    expect(result.total).toBe(100_000)
    // The event loop ran while the body was being read, not only once it was read.
    expect(turnsWhenRead).toBeGreaterThanOrEqual(2)
  })
})
