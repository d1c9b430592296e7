// Every channel the presence state knows, keyed by the bytes of its name, with its state in parallel
// typed arrays: about 40 bytes per channel plus its name, and nothing for the garbage collector.
import { ByteKeyedTable, grownFloat64, grownInt32, grownUint8 } from './byte-table.ts'

/** Entry states. */
export const FREE = 0
/** Read from a snapshot that is still being checked: not counted, dropped if the snapshot fails. */
export const PENDING = 1
export const ALIVE = 2
/** Known to be gone; kept a while so late, out-of-order news about it can be recognised as stale. */
export const DEAD = 3

export class ChannelTable extends ByteKeyedTable {
  state!: Uint8Array
  /** ms epoch of the last change: join time while ALIVE, leave time while DEAD. */
  stamp!: Float64Array
  /** Generation of the last snapshot that listed this channel. */
  seen!: Int32Array
  /** Member id, or -1 when the channel is not a participant (unmatched). */
  member!: Int32Array
  /** The entry that followed this one in the last snapshot, or -1: lets a poll in the same order skip hashing. */
  next!: Int32Array
  /** 1 when the name's bytes can be compared with raw (unescaped) JSON string bytes. */
  plain!: Uint8Array
  /** The first entry of the last snapshot (see `next`), or -1. */
  head = -1

  constructor() {
    super(1024)
    this.state = new Uint8Array(1024)
    this.stamp = new Float64Array(1024)
    this.seen = new Int32Array(1024)
    this.member = new Int32Array(1024).fill(-1)
    this.next = new Int32Array(1024).fill(-1)
    this.plain = new Uint8Array(1024)
  }

  /**
   * Adds a channel known to be absent, in the given state, not yet linked to a member. `plain` says
   * whether its bytes are free of `"`, `\\` and control characters (the scanner knows; else it is checked).
   */
  add(source: Uint8Array, start: number, length: number, hash: number, state: number, plain?: boolean): number {
    const entry = this.insert(source, start, length, hash)
    let isPlain = plain ?? true
    if (plain === undefined) {
      for (let i = start, end = start + length; i < end; i++) {
        const code = source[i] as number
        if (code === 0x22 || code === 0x5c || code < 0x20) isPlain = false
      }
    }
    this.plain[entry] = isPlain ? 1 : 0
    this.state[entry] = state
    this.stamp[entry] = 0
    this.seen[entry] = 0
    this.member[entry] = -1
    this.next[entry] = -1
    return entry
  }

  /** Frees a channel's entry (its member link is the caller's business). */
  drop(entry: number): void {
    this.remove(entry)
    this.state[entry] = FREE
    this.member[entry] = -1
    this.next[entry] = -1
  }

  protected override growEntries(size: number): void {
    super.growEntries(size)
    this.state = grownUint8(this.state, size)
    this.stamp = grownFloat64(this.stamp, size)
    this.seen = grownInt32(this.seen, size)
    this.member = grownInt32(this.member, size, -1)
    this.next = grownInt32(this.next, size, -1)
    this.plain = grownUint8(this.plain, size)
  }
}
