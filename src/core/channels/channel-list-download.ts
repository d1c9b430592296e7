// A channel list read as it downloads: chunks of the answer (BodySink, from the client) wait in
// BodyChunks until the channel-list scan takes them (ChunkSource). A few hundred kilobytes at most wait
// at once; beyond that the download is held until the scan catches up, so a body of any size never sits
// whole in memory, whichever of the two is faster.
import type { ChunkSource } from '../presence/channel-list-scan.ts'
import type { BodyFlow, BodySink, RequestOptions, StreamedResponse } from './client.ts'
import { unreadableListError } from './errors.ts'

export interface ChannelListSource {
  readonly endpoint: string
  streamChannels(prefix: string, sink: BodySink, options?: RequestOptions): Promise<StreamedResponse>
}

/**
 * Requests the channels under `prefix` and has `ingest` read the body as it comes. Resolves once both
 * are done; otherwise rejects with what went wrong first (a failed download fails the ingest with its
 * error; an unreadable body gives the download up with the ingest's), an HTML page told apart from a
 * malformed list.
 */
export async function downloadChannelList<T>(
  client: ChannelListSource,
  prefix: string,
  ingest: (body: ChunkSource) => Promise<T>,
  options: RequestOptions = {},
): Promise<{ result: T; response: StreamedResponse }> {
  const chunks = new BodyChunks()
  const ingesting = ingest(chunks)
  const requesting = client.streamChannels(prefix, chunks, options)
  const [ingested, requested] = await Promise.allSettled([ingesting, requesting])
  if (ingested.status === 'fulfilled' && requested.status === 'fulfilled')
    return { result: ingested.value, response: requested.value }
  const error: unknown = ingested.status === 'rejected' ? ingested.reason : (requested as PromiseRejectedResult).reason
  throw unreadableListError(error, chunks.head, client.endpoint)
}

/** Bytes waiting beyond which the download is held (a few of undici's 64 KB chunks). */
const HIGH_WATER_BYTES = 512 * 1024

/** What an unreadable answer began with, kept for telling an HTML page from a malformed list. */
const HEAD_BYTES = 64

export class BodyChunks implements BodySink, ChunkSource {
  private readonly waiting: Uint8Array[] = []
  private first = 0
  private waitingBytes = 0
  private flow: BodyFlow | null = null
  private held = false
  private ended = false
  private failure: { error: unknown } | null = null
  /** The scan waiting for a chunk. */
  private wake: (() => void) | null = null
  private declared: number | null = null
  private readonly headBytes = new Uint8Array(HEAD_BYTES)
  private headLength = 0

  // ---- the download's side (BodySink) ------------------------------------------------------------

  start(flow: BodyFlow, declaredBytes: number | null): void {
    this.flow = flow
    this.declared = declaredBytes
    // The reader gave up before the body began.
    if (this.failure !== null) flow.cancel(asError(this.failure.error))
  }

  write(chunk: Uint8Array): boolean {
    if (this.failure !== null) return true
    if (this.headLength < HEAD_BYTES) {
      const taken = Math.min(HEAD_BYTES - this.headLength, chunk.byteLength)
      this.headBytes.set(chunk.subarray(0, taken), this.headLength)
      this.headLength += taken
    }
    this.waiting.push(chunk)
    this.waitingBytes += chunk.byteLength
    this.wakeReader()
    this.held = this.waitingBytes >= HIGH_WATER_BYTES
    return !this.held
  }

  end(): void {
    this.ended = true
    this.wakeReader()
  }

  fail(error: unknown): void {
    this.failure ??= { error }
    this.dropWaiting()
    this.wakeReader()
  }

  // ---- the scan's side (ChunkSource) -------------------------------------------------------------

  get expectedBytes(): number | null {
    return this.declared
  }

  /** The first bytes of the body (up to 64), copied: what an unreadable answer began with. */
  get head(): Uint8Array {
    return this.headBytes.slice(0, this.headLength)
  }

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.failure !== null) throw this.failure.error
      if (this.first < this.waiting.length) {
        const chunk = this.waiting[this.first] as Uint8Array
        this.waiting[this.first++] = EMPTY
        this.waitingBytes -= chunk.byteLength
        if (this.first === this.waiting.length) {
          this.waiting.length = 0
          this.first = 0
        }
        // Asks for more once half of what waited has been taken; the download may hand some over at once.
        if (this.held && this.waitingBytes <= HIGH_WATER_BYTES / 2) {
          this.held = false
          this.flow?.resume()
        }
        return chunk
      }
      if (this.ended) return null
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  cancel(reason: unknown): void {
    this.dropWaiting()
    const flow = this.flow
    if (this.failure === null && !this.ended && flow !== null) flow.cancel(asError(reason))
    this.failure ??= { error: reason }
  }

  private dropWaiting(): void {
    this.waiting.length = 0
    this.first = 0
    this.waitingBytes = 0
  }

  private wakeReader(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }
}

const EMPTY = new Uint8Array(0)

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason))
}
