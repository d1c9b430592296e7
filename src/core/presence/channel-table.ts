// Every channel the presence state knows, keyed by the bytes of its name, in one 64-byte record per
// channel: its state in 32 bytes, then the first 32 bytes of its name (a longer name's tail goes to the
// arena). Nothing for the garbage collector, and a channel found by a lookup costs one record, whatever
// order the response lists it in.
import { BASE_FIELDS, ByteKeyedTable, KEY_INFO, PAGE_BITS, PAGE_MASK } from './byte-table.ts'

/** Entry states. */
export const FREE = 0
/** Read from a snapshot that is still being checked: not counted, dropped if the snapshot fails. */
export const PENDING = 1
export const ALIVE = 2
/** Known to be gone; kept a while so late, out-of-order news about it can be recognised as stale. */
export const DEAD = 3

// Record layout (int32 fields): KEY_START, KEY_INFO, HASH from the base table, then:
/** Generation of the last snapshot that listed this channel. */
export const SEEN = BASE_FIELDS
/** Member id, or -1 when the channel is not a participant (unmatched). */
export const MEMBER = BASE_FIELDS + 1
/** The entry that followed this one in the last snapshot, or -1: lets a poll in the same order skip hashing. */
export const NEXT = BASE_FIELDS + 2
/** Fields 6-7: ms epoch of the last change (join time while ALIVE, leave time while DEAD), as a float64. */
const STAMP = BASE_FIELDS + 3
const FIELDS = STAMP + 2
/** Name bytes kept in the record: most channel names fit. */
export const INLINE_NAME_BYTES = 32
export const CHANNEL_STRIDE = FIELDS + INLINE_NAME_BYTES / 4

// KEY_INFO's high bits: the state, and whether the name's bytes can be compared with raw JSON string bytes.
const STATE_SHIFT = 24
const STATE_MASK = 3 << STATE_SHIFT
export const PLAIN_FLAG = 1 << 26

export class ChannelTable extends ByteKeyedTable {
  /** The first entry of the last snapshot (see NEXT), or -1. */
  head = -1

  constructor() {
    super(FIELDS, INLINE_NAME_BYTES, 1024)
  }

  /**
   * Adds a channel known to be absent, in the given state, not yet linked to a member. `plain` says
   * whether its bytes are free of `"`, `\\` and control characters (the scanner knows; else it is checked).
   */
  add(source: Uint8Array, start: number, length: number, hash: number, state: number, plain?: boolean): number {
    const entry = this.insert(source, start, length, hash)
    this.initialise(entry, source, start, length, state, plain)
    return entry
  }

  /**
   * The channel with this name, added as `add` does if absent (then `added` is true): one probe of the
   * index instead of a find and an add's second one.
   */
  findOrAdd(source: Uint8Array, start: number, length: number, hash: number, state: number, plain?: boolean): number {
    const entry = this.findOrInsert(source, start, length, hash)
    if (this.added) this.initialise(entry, source, start, length, state, plain)
    return entry
  }

  private initialise(
    entry: number,
    source: Uint8Array,
    start: number,
    length: number,
    state: number,
    plain: boolean | undefined,
  ): void {
    let isPlain = plain ?? true
    if (plain === undefined) {
      for (let i = start, end = start + length; i < end; i++) {
        const code = source[i] as number
        if (code === 0x22 || code === 0x5c || code < 0x20) isPlain = false
      }
    }
    const page = this.pages[entry >>> PAGE_BITS] as Int32Array
    const at = (entry & PAGE_MASK) * CHANNEL_STRIDE
    page[at + KEY_INFO] = length | (state << STATE_SHIFT) | (isPlain ? PLAIN_FLAG : 0)
    page[at + SEEN] = 0
    page[at + MEMBER] = -1
    page[at + NEXT] = -1
    this.setFloatField(entry, STAMP, 0)
  }

  /** Frees a channel's entry (its member link is the caller's business). */
  drop(entry: number): void {
    this.remove(entry)
    const page = this.pages[entry >>> PAGE_BITS] as Int32Array
    const at = (entry & PAGE_MASK) * CHANNEL_STRIDE
    page[at + KEY_INFO] = 0
    page[at + MEMBER] = -1
    page[at + NEXT] = -1
  }

  state(entry: number): number {
    return (this.field(entry, KEY_INFO) & STATE_MASK) >>> STATE_SHIFT
  }

  setState(entry: number, state: number): void {
    this.setField(entry, KEY_INFO, (this.field(entry, KEY_INFO) & ~STATE_MASK) | (state << STATE_SHIFT))
  }

  stamp(entry: number): number {
    return this.floatField(entry, STAMP)
  }

  setStamp(entry: number, stamp: number): void {
    this.setFloatField(entry, STAMP, stamp)
  }

  seen(entry: number): number {
    return this.field(entry, SEEN)
  }

  member(entry: number): number {
    return this.field(entry, MEMBER)
  }

  setMember(entry: number, member: number): void {
    this.setField(entry, MEMBER, member)
  }
}
