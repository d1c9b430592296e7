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
} from './byte-table.ts'
import { CHANNEL_STRIDE, type ChannelTable, MEMBER, NEXT, PENDING, PLAIN_FLAG, SEEN } from './channel-table.ts'
import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, JsonCursor, OPEN_BRACE, QUOTE } from './json-cursor.ts'
import type { MemberStore } from './member-store.ts'

export interface ScanOutcome {
  channels: number
  unmatched: number
  /** Set when the body is a server error (`{"error": …, "code": …}`) rather than a channel list. */
  serverError: { error: string; code: number | null } | null
}

/** Channels read before the tables are sized for the whole body from their average length. */
const SAMPLE_CHANNELS = 4096
/** Room reserved beyond that estimate, for names that grow longer or shorter further on. */
const ESTIMATE_MARGIN = 1.25
/** Channels handled between two looks at the clock. */
const BATCH = 512
/** Names looked up together once the order stops matching (see flushDeferred). */
const LOOKUP_BATCH = 32

export class ChannelListScan {
  private readonly cursor: JsonCursor
  private readonly bodyText: Buffer
  private readonly table: ChannelTable
  private readonly members: MemberStore
  private readonly convention: CompiledConvention
  /** The convention's parse over bytes (templates), else null: new names are parsed as strings. */
  private readonly parseBytes: ChannelBytesParser | null
  private readonly generation: number
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

  constructor(
    body: Uint8Array,
    table: ChannelTable,
    members: MemberStore,
    convention: CompiledConvention,
    parseBytes: ChannelBytesParser | null,
    generation: number,
  ) {
    this.cursor = new JsonCursor(body)
    this.bodyText = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
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
   * Checks the whole body and marks every listed channel with this scan's generation.
   * `pause` is awaited whenever the slice's time is up; it may throw to abandon the scan.
   */
  async run(sliceOver: () => boolean, pause: () => Promise<void>): Promise<ScanOutcome> {
    const cursor = this.cursor
    if (cursor.peek() !== OPEN_BRACE) cursor.fail(`expected a JSON object, found ${cursor.describeHere()}`)
    cursor.pos++
    let sawChannels = false
    let serverError: string | null = null
    let code: number | null = null
    if (cursor.peek() === CLOSE_BRACE) {
      cursor.pos++
    } else {
      for (;;) {
        if (cursor.peek() !== QUOTE)
          cursor.fail(`expected a property name in double quotes, found ${cursor.describeHere()}`)
        const keyAt = cursor.pos
        const key = cursor.readString()
        cursor.expect(COLON, '":" after a property name')
        if (key === 'channels') {
          if (sawChannels) cursor.fail('"channels" appears twice', keyAt)
          sawChannels = true
          const valueAt = cursor.pos
          if (cursor.peek() !== OPEN_BRACE) {
            const found = cursor.skipValue()
            cursor.fail(`"channels" must be an object, found ${jsonType(found)}`, valueAt)
          }
          await this.scanChannels(sliceOver, pause)
        } else if (key === 'error') {
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
        const next = cursor.peek()
        cursor.pos++
        if (next === CLOSE_BRACE) break
        if (next !== COMMA)
          cursor.fail(
            `expected "," or "}" after a property, found ${cursor.describeAt(cursor.pos - 1)}`,
            cursor.pos - 1,
          )
      }
    }
    if (cursor.peek() !== -1) cursor.fail(`unexpected ${cursor.describeHere()} after the end of the JSON object`)
    if (serverError !== null) return { channels: 0, unmatched: 0, serverError: { error: serverError, code } }
    if (!sawChannels) cursor.fail('the response has no "channels" object', 0)
    return { channels: this.channels, unmatched: this.unmatched, serverError: null }
  }

  private async scanChannels(sliceOver: () => boolean, pause: () => Promise<void>): Promise<void> {
    const cursor = this.cursor
    cursor.pos++
    if (cursor.peek() === CLOSE_BRACE) {
      cursor.pos++
      return
    }
    const channelsStart = cursor.pos
    let sized = false
    for (;;) {
      const closed = this.scanBatch()
      this.flushDeferred()
      if (closed) return
      if (!sized && this.channels >= SAMPLE_CHANNELS) {
        // Sizes the tables for the rest of the body from the channels read so far, so a first load of a
        // huge crowd does not rehash part-way (a pause that cannot be sliced), without reserving for the
        // shortest names possible (twice the room a million channels need). Later loads usually find
        // the tables big enough already.
        sized = true
        const perChannel = (cursor.pos - channelsStart) / this.channels
        const likely = Math.ceil(((cursor.end - channelsStart) / perChannel) * ESTIMATE_MARGIN)
        this.table.reserve(likely)
        this.members.reserve(likely)
      }
      if (sliceOver()) await pause()
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
        memberBounds.set(b, adding * 6)
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
