// Reads the bytes of a `GET /channels` response straight into the channel table, in slices. A channel
// already known costs a byte comparison when the response lists channels in the same order as last time
// (the scanner first tries the channel that followed the previous one), or else a hash and a table probe:
// once the order stops matching, names are hashed as they are read and looked up a batch at a time, so
// that their cache misses overlap and a poll in any order stays well under a JSON.parse of it. A first
// sync, with no order to follow, reads names that way from the start, and adds the new channels of a
// batch and then their members together, for the same reason. Only a channel never seen before goes
// through the naming convention (as bytes, or as a string for a regular expression). Nothing here is
// visible to readers of the state: new channels enter as PENDING, and the caller commits (or rolls back)
// once the whole body has been checked.
//
// The body may come a chunk at a time as it downloads (a ChunkSource), so that the 35 MB of a million
// channels never exist at once: the scanner reads a window of the bytes, and when a channel runs past
// its end (a name, an escape or a number cut in two), it goes back to where that channel began and reads
// it again once the next chunk has been added behind what is left of the window.
import { Buffer } from 'node:buffer'
import type { CompiledConvention } from '../../shared/naming.ts'
import type { ChannelBytesParser } from './channel-bytes.ts'
import {
  FNV_OFFSET,
  FNV_PRIME,
  hashBytes,
  KEY_INFO,
  KEY_LENGTH_MASK,
  latin1String,
  MAX_KEY_LENGTH,
  PAGE_BITS,
  PAGE_MASK,
  touchPages,
} from './byte-table.ts'
import { CHANNEL_STRIDE, type ChannelTable, MEMBER, NEXT, PENDING, PLAIN_FLAG, SEEN } from './channel-table.ts'
import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, JsonCursor, NEED_MORE, OPEN_BRACE, QUOTE } from './json-cursor.ts'
import type { MemberStore } from './member-store.ts'

export interface ScanOutcome {
  channels: number
  unmatched: number
  /** Set when the body is a server error (`{"error": …, "code": …}`) rather than a channel list. */
  serverError: { error: string; code: number | null } | null
}

/** A body that comes a chunk at a time (a download); a scan reads each chunk once, in order. */
export interface ChunkSource {
  /** The whole body's length if known (a declared Content-Length), to size the tables early. */
  readonly expectedBytes: number | null
  /** The next chunk, or null once the body is complete; rejects if the download fails. */
  next(): Promise<Uint8Array | null>
  /** The scan gives up (the body is malformed, or the state was reset): no more chunks are wanted. */
  cancel(reason: unknown): void
}

/** A body already whole in memory, as a source of one chunk. */
export class WholeBody implements ChunkSource {
  private body: Uint8Array | null
  readonly expectedBytes: number

  constructor(body: Uint8Array) {
    this.body = body
    this.expectedBytes = body.byteLength
  }

  next(): Promise<Uint8Array | null> {
    const body = this.body
    this.body = null
    return Promise.resolve(body)
  }

  cancel(): void {
    this.body = null
  }
}

/** The work a scan does between two looks at the clock, and what it does when the slice is over. */
export interface ScanPacing {
  sliceOver(): boolean
  /** Awaited whenever the slice's time is up; it may throw to abandon the scan. */
  pause(): Promise<void>
  /** Called after waiting for a chunk; it may throw to abandon the scan (the state was reset meanwhile). */
  resumed(): void
}

/** Channels read before the tables are sized for the whole body from their average length. */
const SAMPLE_CHANNELS = 4096
/** Room reserved beyond that estimate, for names that grow longer or shorter further on. */
const ESTIMATE_MARGIN = 1.25
/** Slots (int32) touched between two looks at the clock while the tables are sized: 64 pages of 4 KB. */
const TOUCH_STEP = 64 * 1024
/** Channels handled between two looks at the clock. */
const BATCH = 512
/** Names looked up together once the order stops matching (see flushDeferred). */
const LOOKUP_BATCH = 32
const EMPTY = new Uint8Array(0)
/** Bytes kept from one window to the next beyond which a retry waits for as many more (see more). */
const REREAD_LIMIT = 64 * 1024

export class ChannelListScan {
  private readonly cursor: JsonCursor
  private bodyText: Buffer
  private readonly source: ChunkSource
  private readonly table: ChannelTable
  private readonly members: MemberStore
  private readonly convention: CompiledConvention
  /** The convention's parse over bytes (templates), else null: new names are parsed as strings. */
  private readonly parseBytes: ChannelBytesParser | null
  private readonly generation: number
  /** Where the bytes of a window made of several chunks are kept (reused from one window to the next). */
  private window = EMPTY
  /** The last channel of this body marked listed, -1 before the first. */
  private previous = -1
  private channels = 0
  private unmatched = 0
  private readonly bounds = new Int32Array(6)
  /**
   * Predictions that failed in a row: from the second, the order is taken to be new, and names wait to be
   * looked up together (see flushDeferred) until one is predicted right again.
   */
  private misses = 0
  /** True in a first sync (no snapshot listed before): nearly every name is new to the table. */
  private readonly first: boolean
  /** Names read but not yet looked up: their place in the body and hash. */
  private deferred = 0
  private readonly deferredStart = new Int32Array(LOOKUP_BATCH)
  private readonly deferredLength = new Int32Array(LOOKUP_BATCH)
  private readonly deferredHash = new Int32Array(LOOKUP_BATCH)
  private readonly deferredFound = new Int32Array(LOOKUP_BATCH)
  /** The waiting names new to the table that name a participant: their entries, members' bounds and ids. */
  private readonly newMemberEntries = new Int32Array(LOOKUP_BATCH)
  private readonly newMemberBounds = new Int32Array(LOOKUP_BATCH * 6)
  private readonly newMemberIds = new Int32Array(LOOKUP_BATCH)
  /**
   * Where the channel being read began, and the scan's state then: a channel cut by the end of the
   * window is read again from there (what reading it had changed is either undone here or done again
   * the same way: a channel added is found, one listed is not counted twice).
   */
  private entryAt = 0
  private entryPrevious = -1
  private entryDeferred = 0
  private entryMisses = 0

  constructor(
    body: Uint8Array | ChunkSource,
    table: ChannelTable,
    members: MemberStore,
    convention: CompiledConvention,
    parseBytes: ChannelBytesParser | null,
    generation: number,
  ) {
    this.source = body instanceof Uint8Array ? new WholeBody(body) : body
    this.cursor = new JsonCursor(EMPTY)
    this.cursor.final = false
    this.bodyText = Buffer.from(EMPTY)
    this.table = table
    this.members = members
    this.convention = convention
    this.parseBytes = parseBytes
    this.generation = generation
    // No snapshot listed yet (a first sync): there is no order to follow, and names wait from the start.
    this.first = table.head < 0
    if (this.first) this.misses = 2
  }

  /**
   * Checks the whole body and marks every listed channel with this scan's generation. On any failure,
   * the source is told no more is wanted.
   */
  async run(pacing: ScanPacing): Promise<ScanOutcome> {
    try {
      return await this.read(pacing)
    } catch (error) {
      this.source.cancel(error)
      throw error
    } finally {
      this.window = EMPTY
      this.bodyText = Buffer.from(EMPTY)
    }
  }

  private async read(pacing: ScanPacing): Promise<ScanOutcome> {
    const cursor = this.cursor
    await this.step(pacing, () => {
      if (cursor.peekSure('expected a JSON object') !== OPEN_BRACE)
        cursor.fail(`expected a JSON object, found ${cursor.describeHere()}`)
      cursor.pos++
      cursor.peekSure('the JSON object is not closed')
    })
    let sawChannels = false
    let serverError: string | null = null
    let code: number | null = null
    if (cursor.peek() === CLOSE_BRACE) {
      cursor.pos++
    } else {
      for (;;) {
        // One property, read whole (again from its start if the window ends inside it), but for the
        // channels object, which the scan reads channel by channel as the body comes.
        const channelsNext = await this.step(pacing, () => {
          if (cursor.peek() !== QUOTE)
            cursor.fail(`expected a property name in double quotes, found ${cursor.describeHere()}`)
          const keyAt = cursor.pos
          const key = cursor.readString()
          cursor.expect(COLON, '":" after a property name')
          if (key === 'channels') {
            if (sawChannels) cursor.fail('"channels" appears twice', keyAt)
            const valueAt = cursor.pos
            if (cursor.peekSure('expected a JSON value') !== OPEN_BRACE) {
              const found = cursor.skipValue()
              cursor.fail(`"channels" must be an object, found ${jsonType(found)}`, valueAt)
            }
            return true
          }
          if (key === 'error') {
            if (cursor.peek() === QUOTE) serverError = cursor.readString()
            else {
              const source = cursor.valueSource()
              if (source !== 'null') serverError = source
            }
          } else if (key === 'code') {
            if (cursor.peek() === QUOTE) cursor.skipValue()
            else {
              const source = cursor.valueSource()
              const value = Number(source)
              if (Number.isFinite(value)) code = value
            }
          } else {
            cursor.skipValue()
          }
          return false
        })
        if (channelsNext) {
          sawChannels = true
          await this.scanChannels(pacing)
        }
        const closed = await this.step(pacing, () => {
          const next = cursor.peekSure('the JSON object is not closed')
          cursor.pos++
          if (next === CLOSE_BRACE) return true
          if (next !== COMMA)
            cursor.fail(
              `expected "," or "}" after a property, found ${cursor.describeAt(cursor.pos - 1)}`,
              cursor.pos - 1,
            )
          return false
        })
        if (closed) break
      }
    }
    // Nothing but whitespace may follow, to the end of the body.
    for (;;) {
      if (cursor.peek() !== -1) cursor.fail(`unexpected ${cursor.describeHere()} after the end of the JSON object`)
      if (cursor.final) break
      await this.more(cursor.pos, pacing)
    }
    if (serverError !== null) return { channels: 0, unmatched: 0, serverError: { error: serverError, code } }
    if (!sawChannels) cursor.fail('the response has no "channels" object', -cursor.base)
    return { channels: this.channels, unmatched: this.unmatched, serverError: null }
  }

  /**
   * Runs `read` from the cursor's position; if it runs into the end of the window before the end of the
   * body, runs it again from the same place once more has come.
   */
  private async step<T>(pacing: ScanPacing, read: () => T): Promise<T> {
    const cursor = this.cursor
    for (;;) {
      const mark = cursor.pos
      try {
        return read()
      } catch (error) {
        if (error !== NEED_MORE) throw error
        await this.more(mark, pacing)
      }
    }
  }

  /**
   * Waits for the next chunk (or the end of the body), then makes the window what is left from
   * `keepFrom` followed by it; the cursor stands at the start of it. A lone chunk with nothing kept is
   * read where it is, without a copy (a whole body in one is never copied). Past REREAD_LIMIT kept (a
   * value far longer than any channel's), it waits for as many new bytes as are kept, so that a value cut
   * many times is read again a bounded number of times over, not once per chunk.
   */
  private async more(keepFrom: number, pacing: ScanPacing): Promise<void> {
    const cursor = this.cursor
    const old = cursor.bytes
    const kept = cursor.end - keepFrom
    const atLeast = kept > REREAD_LIMIT ? kept : 1
    const chunks: Uint8Array[] = []
    let added = 0
    let final = false
    while (added < atLeast) {
      const chunk = await this.source.next()
      if (chunk === null) {
        final = true
        break
      }
      if (chunk.byteLength === 0) continue
      chunks.push(chunk)
      added += chunk.byteLength
    }
    pacing.resumed()
    let bytes: Uint8Array
    if (kept === 0 && chunks.length === 1) bytes = chunks[0] as Uint8Array
    else {
      const need = kept + added
      const tail = old.subarray(keepFrom)
      if (this.window.length < need) {
        const bigger = new Uint8Array(Math.max(need, this.window.length * 2))
        bigger.set(tail)
        this.window = bigger
      } else if (old.buffer === this.window.buffer) this.window.copyWithin(0, keepFrom, cursor.end)
      else this.window.set(tail)
      let at = kept
      for (const chunk of chunks) {
        this.window.set(chunk, at)
        at += chunk.byteLength
      }
      bytes = this.window.subarray(0, need)
    }
    cursor.setWindow(bytes, cursor.base + keepFrom, final)
    this.bodyText = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    // A chunk already waiting comes without a turn of the event loop: the slice goes on counting.
    if (pacing.sliceOver()) await pacing.pause()
  }

  private async scanChannels(pacing: ScanPacing): Promise<void> {
    const cursor = this.cursor
    await this.step(pacing, () => {
      cursor.pos++
      cursor.peekSure('the channels object is not closed')
    })
    if (cursor.peek() === CLOSE_BRACE) {
      cursor.pos++
      return
    }
    const channelsStart = cursor.base + cursor.pos
    const expectedEnd = this.source.expectedBytes
    let sized = false
    for (;;) {
      let closed: boolean
      try {
        closed = this.scanBatch()
      } catch (error) {
        if (error !== NEED_MORE) throw error
        // The window ends inside a channel: read on from its start once the next chunk has come.
        cursor.pos = this.entryAt
        this.previous = this.entryPrevious
        this.deferred = this.entryDeferred
        this.misses = this.entryMisses
        // The names waiting are looked up while their bytes are still there.
        this.flushDeferred()
        await this.more(this.entryAt, pacing)
        continue
      }
      this.flushDeferred()
      if (closed) return
      if (!sized && this.channels >= SAMPLE_CHANNELS) {
        // Sizes the tables for the rest of the body from the channels read so far, so a first load of a
        // huge crowd does not rehash part-way (a pause that cannot be sliced), without reserving for the
        // shortest names possible (twice the room a million channels need). Later loads usually find
        // the tables big enough already. A body of unknown length is not sized ahead.
        sized = true
        const read = cursor.base + cursor.pos - channelsStart
        if (expectedEnd !== null && read > 0) {
          const perChannel = read / this.channels
          const likely = Math.ceil(((expectedEnd - channelsStart) / perChannel) * ESTIMATE_MARGIN)
          for (const target of [this.table, this.members]) {
            const slots = target.freshSlotsFor(likely)
            if (slots === null) continue
            // At a million, first touches of the fresh slots' pages cost 5-30 ms (and more in wall time
            // when the system is busy): taken a few at a time, within the slices, before the rehash.
            for (let at = 0; at < slots.length; at += TOUCH_STEP) {
              touchPages(slots, at, Math.min(at + TOUCH_STEP, slots.length))
              if (pacing.sliceOver()) await pacing.pause()
            }
            target.adoptSlots(slots)
          }
        }
      }
      if (pacing.sliceOver()) await pacing.pause()
    }
  }

  /**
   * Reads up to BATCH channels, or until LOOKUP_BATCH names wait for a lookup; true when the channels
   * object is closed. The caller looks up the waiting names (flushDeferred) before the next call: kept
   * out of this loop, whose optimised code would otherwise keep falling back on a call it had not yet
   * seen made.
   */
  private scanBatch(): boolean {
    const cursor = this.cursor
    const bytes = cursor.bytes
    const end = cursor.end
    const table = this.table
    let pos = cursor.pos
    for (let n = 0; n < BATCH; n++) {
      this.entryAt = pos
      this.entryPrevious = this.previous
      this.entryDeferred = this.deferred
      this.entryMisses = this.misses
      let code = bytes[pos] as number
      while (code <= 0x20 && pos < end && (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09))
        code = bytes[++pos] as number
      if (pos >= end || code !== QUOTE) {
        cursor.pos = pos
        cursor.fail(`expected a channel name in double quotes, found ${cursor.describeHere()}`)
      }
      const start = pos + 1
      let entry = -1

      // Same order as last time? Then one byte comparison recognises the channel.
      if (this.deferred === 0) {
        const previous = this.previous
        const predicted = previous >= 0 ? table.field(previous, NEXT) : table.head
        if (predicted >= 0) {
          const info = table.field(predicted, KEY_INFO)
          const length = info & KEY_LENGTH_MASK
          // A free entry has no state and is never plain.
          if (
            (info & PLAIN_FLAG) !== 0 &&
            start + length < end &&
            bytes[start + length] === QUOTE &&
            table.keyEquals(predicted, bytes, start, length)
          ) {
            entry = predicted
            pos = start + length + 1
          }
          if (entry < 0) this.misses++
          else this.misses = 0
        }
      }

      if (entry < 0) {
        let hash = FNV_OFFSET
        let at = start
        code = 0
        while (at < end) {
          code = bytes[at] as number
          if (code === QUOTE || code === BACKSLASH || code < 0x20) break
          hash = Math.imul(hash ^ code, FNV_PRIME)
          at++
        }
        if (at >= end) {
          cursor.pos = at
          cursor.fail('a channel name is not closed')
        }
        if (code === QUOTE) {
          const length = at - start
          pos = at + 1
          if (this.misses >= 2) {
            // Checked here, in body order, as the lookup would: a batch adds nothing it could then fail on.
            if (length > MAX_KEY_LENGTH) this.tooLong(length, start - 1)
            const slot = this.deferred++
            this.deferredStart[slot] = start
            this.deferredLength[slot] = length
            this.deferredHash[slot] = hash
          } else {
            entry = this.findOrAddChannel(bytes, this.bodyText, start, length, hash, start - 1)
          }
        } else if (code === BACKSLASH) {
          // Escaped names are rare: looked up on the spot, but only once the names waiting before them
          // have been (by the caller, which this return hands back to), to keep the body's order.
          if (this.deferred > 0) {
            cursor.pos = pos
            return false
          }
          const nameAt = pos
          cursor.pos = pos
          const length = cursor.decodeStringBytes()
          pos = cursor.pos
          const scratch = cursor.scratch
          const decodedHash = hashBytes(scratch, 0, length)
          entry = this.findOrAddChannel(scratch, null, 0, length, decodedHash, nameAt)
        } else {
          cursor.pos = at
          cursor.fail('a control character inside a channel name must be escaped')
        }
      }
      if (entry >= 0) this.listed(entry)

      // The value: an object, almost always {}.
      code = bytes[pos] as number
      while (code <= 0x20 && pos < end && (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09))
        code = bytes[++pos] as number
      if (code !== COLON || pos >= end) {
        cursor.pos = pos
        cursor.fail(`expected ":" after a channel name, found ${cursor.describeHere()}`)
      }
      code = bytes[++pos] as number
      while (code <= 0x20 && pos < end && (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09))
        code = bytes[++pos] as number
      if (code !== OPEN_BRACE || pos >= end) {
        cursor.pos = pos
        const found = pos >= end ? -1 : cursor.skipValue()
        cursor.fail(`the value of a channel must be an object, found ${jsonType(found)}`, pos)
      }
      const braceAt = pos
      code = bytes[++pos] as number
      while (code <= 0x20 && pos < end && (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09))
        code = bytes[++pos] as number
      if (code === CLOSE_BRACE && pos < end) {
        pos++
      } else {
        // Attributes such as subscription_count / user_count: checked, not needed.
        cursor.pos = braceAt
        cursor.skipObject(1)
        pos = cursor.pos
      }

      code = bytes[pos] as number
      while (code <= 0x20 && pos < end && (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09))
        code = bytes[++pos] as number
      if (pos >= end) {
        cursor.pos = pos
        cursor.fail('the channels object is not closed')
      }
      pos++
      if (code === COMMA) {
        if (this.deferred === LOOKUP_BATCH) break
        continue
      }
      if (code === CLOSE_BRACE) {
        cursor.pos = pos
        return true
      }
      cursor.pos = pos - 1
      cursor.fail(`expected "," or "}" between channels, found ${cursor.describeHere()}`)
    }
    cursor.pos = pos
    return false
  }

  /**
   * Looks up the names waiting since the order stopped matching, all at once (see findMany), and
   * marks them listed in body order. A name new to the table may be waiting twice (a duplicate
   * key): the second time, the first has just added it.
   */
  private flushDeferred(): void {
    const count = this.deferred
    if (count === 0) return
    this.deferred = 0
    const table = this.table
    const bytes = this.cursor.bytes
    const starts = this.deferredStart
    const lengths = this.deferredLength
    const hashes = this.deferredHash
    const found = this.deferredFound
    if (this.first) {
      // Nearly all new: what is worth fetching ahead is only the slots they will go in.
      table.prefetch(hashes, count)
      found.fill(-1, 0, count)
    } else table.findMany(bytes, starts, lengths, hashes, count, found)
    const parseBytes = this.parseBytes
    if (parseBytes === null) {
      for (let i = 0; i < count; i++) {
        let entry = found[i] as number
        if (entry < 0) {
          const start = starts[i] as number
          entry = this.findOrAddChannel(
            bytes,
            this.bodyText,
            start,
            lengths[i] as number,
            hashes[i] as number,
            start - 1,
          )
        }
        this.listed(entry)
      }
      return
    }
    // New channels (all of them in a first sync) are added, then their members obtained together (see
    // obtainMany), before any is marked listed: listed counts the channels without a member.
    const b = this.bounds
    const memberBounds = this.newMemberBounds
    const memberEntries = this.newMemberEntries
    let adding = 0
    for (let i = 0; i < count; i++) {
      if ((found[i] as number) >= 0) continue
      const start = starts[i] as number
      const length = lengths[i] as number
      const entry = table.findOrAdd(bytes, start, length, hashes[i] as number, PENDING, true)
      found[i] = entry
      if (table.added && parseBytes(bytes, start, start + length, b)) {
        // Copied by hand: a million calls of TypedArray#set cost about 20 ms more.
        const at = adding * 6
        memberBounds[at] = b[0] as number
        memberBounds[at + 1] = b[1] as number
        memberBounds[at + 2] = b[2] as number
        memberBounds[at + 3] = b[3] as number
        memberBounds[at + 4] = b[4] as number
        memberBounds[at + 5] = b[5] as number
        memberEntries[adding++] = entry
      }
    }
    if (adding > 0) {
      const ids = this.newMemberIds
      this.members.obtainMany(bytes, memberBounds, adding, ids)
      for (let k = 0; k < adding; k++) table.setMember(memberEntries[k] as number, ids[k] as number)
    }
    for (let i = 0; i < count; i++) this.listed(found[i] as number)
  }

  /** Marks a channel listed in this body (once), and remembers it as following the previous one. */
  private listed(entry: number): void {
    const table = this.table
    const page = table.pages[entry >>> PAGE_BITS] as Int32Array
    const at = (entry & PAGE_MASK) * CHANNEL_STRIDE
    if (page[at + SEEN] !== this.generation) {
      page[at + SEEN] = this.generation
      this.channels++
      if ((page[at + MEMBER] as number) < 0) this.unmatched++
    }
    if (this.previous >= 0) table.setField(this.previous, NEXT, entry)
    else table.head = entry
    this.previous = entry
  }

  /**
   * The channel with this name; one never seen before is added, PENDING, and parsed from its bytes
   * (templates) or as a string (regular expressions). `nameAt` is where its name starts in the body, for errors.
   */
  private findOrAddChannel(
    source: Uint8Array,
    text: Buffer | null,
    start: number,
    length: number,
    hash: number,
    nameAt: number,
  ): number {
    if (length > MAX_KEY_LENGTH) this.tooLong(length, nameAt)
    const table = this.table
    // Raw names from the body are plain by construction; decoded ones are checked.
    const entry = table.findOrAdd(source, start, length, hash, PENDING, text !== null ? true : undefined)
    if (!table.added) return entry
    const parseBytes = this.parseBytes
    if (parseBytes !== null) {
      const b = this.bounds
      if (parseBytes(source, start, start + length, b)) {
        table.setMember(
          entry,
          this.members.obtainBytes(
            source,
            b[0] as number,
            b[1] as number,
            b[2] as number,
            b[3] as number,
            b[4] as number,
            b[5] as number,
          ),
        )
      }
      return entry
    }
    const name =
      text === null ? latin1String(source, start, start + length) : text.toString('latin1', start, start + length)
    const parsed = this.convention.parse(name)
    if (parsed !== null) table.setMember(entry, this.members.obtain(parsed))
    return entry
  }

  private tooLong(length: number, nameAt: number): never {
    this.cursor.fail(`a channel name of ${length} bytes is far longer than any channel name can be`, nameAt)
  }
}

function jsonType(firstByte: number): string {
  switch (firstByte) {
    case -1:
      return 'nothing'
    case QUOTE:
      return 'a string'
    case 0x5b:
      return 'an array'
    case 0x74:
    case 0x66:
      return 'a boolean'
    case 0x6e:
      return 'null'
    default:
      return 'a number'
  }
}
