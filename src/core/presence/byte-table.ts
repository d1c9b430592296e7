// A hash table keyed by byte strings, in flat typed arrays: open addressing with linear probing and
// backward-shift deletion (no tombstones). Each entry is one record in a single array: its int32 fields
// (the key's length and hash first, then the subclass's), then the first bytes of its key; the rest of a
// longer key goes to a byte arena. A lookup that lands on an entry thus finds its fields and, for short
// keys, the whole key in one or two adjacent cache lines, wherever the entry is. Subclasses may keep
// parallel arrays too (grown in growEntries). Entry ids are dense and reused after removal. Lets the
// presence state recognise names straight from response bytes, with no JS string or object per entry for
// the garbage collector to trace.
import { Buffer } from 'node:buffer'

export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193
const GOLDEN = 0x9e3779b1

/** Record fields every table has. Where the key's tail starts in the arena; -1 while the entry is free. */
export const KEY_START = 0
/** Low 24 bits: the key's length; the high 8 bits belong to the subclass. */
export const KEY_INFO = 1
export const HASH = 2
export const BASE_FIELDS = 3
export const KEY_LENGTH_MASK = 0xffffff
/** Keys longer than this are refused (a channel name has at most 164 characters). */
export const MAX_KEY_LENGTH = KEY_LENGTH_MASK

/** FNV-1a over bytes; the channel scanner computes the same value inline while it looks for a name's end. */
export function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let hash = FNV_OFFSET
  for (let i = start, end = start + length; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME)
  return hash
}

/** ASCII bytes to a string (names are ASCII; anything else only ever fails to parse). */
export function latin1String(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end)
}

export function grownInt32(array: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size)
  next.set(array)
  if (fill !== 0) next.fill(fill, array.length)
  return next
}

export function grownUint8(array: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(size)
  next.set(array)
  return next
}

export function grownFloat64(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size)
  next.set(array)
  return next
}

export class ByteKeyedTable {
  /** Int32 fields per entry, the key's first bytes included. */
  readonly stride: number
  /** Byte offset of the key's first bytes within a record, and how many fit there. */
  readonly inlineOffset: number
  readonly inlineBytes: number
  /** Entry e's fields are records[e * stride + field]. */
  records: Int32Array<ArrayBuffer>
  /** The same memory as bytes (inline keys), and as a Buffer for decoding them. */
  recordBytes: Uint8Array<ArrayBuffer>
  private recordText: Buffer

  /**
   * Slot → 0 when empty, else (entry + 1) in the low bits (entryMask) and the entry's hash bits above
   * them as a tag: a probe that meets another key is nearly always turned away by the tag, without
   * reading that entry's record.
   */
  private slots = new Int32Array(64)
  private shift = 32 - 6
  private mask = 63
  private entryMask = 0
  private tagMask = 0

  /** Key bytes past the inline ones. */
  arena = new Uint8Array(4096)
  /** The arena as a Buffer, whose latin1 decoding is the fastest way from bytes to a short string. */
  private arenaText = Buffer.from(this.arena.buffer)
  private arenaUsed = 0
  private arenaGarbage = 0

  /** Entries ever allocated (high-water mark): ids below it are in use or free. */
  top = 0
  /** Entries in use. */
  size = 0
  private freeIds = new Int32Array(64)
  private freeCount = 0
  /** Sink for the loads findMany issues ahead of time, so the compiler keeps them. */
  private touched = 0

  /**
   * `fields` int32 fields per entry (BASE_FIELDS and the subclass's), then `inlineBytes` (a multiple of
   * 4) of each key kept in the record itself.
   */
  constructor(fields = BASE_FIELDS, inlineBytes = 0, initialEntries = 64) {
    if (fields < BASE_FIELDS) throw new RangeError(`a table needs at least ${BASE_FIELDS} fields per entry`)
    if (inlineBytes % 4 !== 0) throw new RangeError('inline key bytes must be a multiple of 4')
    this.stride = fields + inlineBytes / 4
    this.inlineOffset = fields * 4
    this.inlineBytes = inlineBytes
    this.records = new Int32Array(initialEntries * this.stride)
    this.recordBytes = new Uint8Array(this.records.buffer)
    this.recordText = Buffer.from(this.records.buffer)
    this.setEntryBits()
  }

  get capacity(): number {
    return this.records.length / this.stride
  }

  keyLength(entry: number): number {
    return (this.records[entry * this.stride + KEY_INFO] as number) & KEY_LENGTH_MASK
  }

  /** Byte `index` of the entry's key. */
  keyByte(entry: number, index: number): number {
    return index < this.inlineBytes
      ? (this.recordBytes[entry * this.stride * 4 + this.inlineOffset + index] as number)
      : (this.arena[(this.records[entry * this.stride + KEY_START] as number) + index - this.inlineBytes] as number)
  }

  /** True while the entry holds a key. */
  isUsed(entry: number): boolean {
    return (this.records[entry * this.stride + KEY_START] as number) >= 0
  }

  /** The entry whose key is these bytes, or -1. */
  find(source: Uint8Array, start: number, length: number, hash: number): number {
    const slots = this.slots
    const mask = this.mask
    const tagMask = this.tagMask
    const tag = hash & tagMask
    let slot = Math.imul(hash, GOLDEN) >>> this.shift
    for (;;) {
      const stored = slots[slot] as number
      if (stored === 0) return -1
      if ((stored & tagMask) === tag) {
        const entry = (stored & this.entryMask) - 1
        if (this.matches(entry, source, start, length, hash)) return entry
      }
      slot = (slot + 1) & mask
    }
  }

  /**
   * find() for `count` keys of `source` at once: out[i] = the entry of key i, or -1. For keys scattered
   * over a big table, each lookup waits on memory two or three times (slot, record, key tail); taking
   * each step for every key before the next lets the processor fetch those cache lines in parallel
   * instead of one after another. Keys repeated within the call may all come back -1 while absent.
   */
  findMany(
    source: Uint8Array,
    starts: Int32Array,
    lengths: Int32Array,
    hashes: Int32Array,
    count: number,
    out: Int32Array,
  ): void {
    const slots = this.slots
    const mask = this.mask
    const shift = this.shift
    const tagMask = this.tagMask
    const entryMask = this.entryMask
    const records = this.records
    const stride = this.stride
    const inlineBytes = this.inlineBytes
    let touched = 0
    // 1. Home slots.
    for (let i = 0; i < count; i++) {
      const slot = Math.imul(hashes[i] as number, GOLDEN) >>> shift
      out[i] = slot
      touched ^= slots[slot] as number
    }
    // 2. The first slot whose tag matches: the likely entry.
    let tails = false
    for (let i = 0; i < count; i++) {
      let slot = out[i] as number
      const tag = (hashes[i] as number) & tagMask
      let candidate = -1
      for (;;) {
        const stored = slots[slot] as number
        if (stored === 0) break
        if ((stored & tagMask) === tag) {
          candidate = (stored & entryMask) - 1
          break
        }
        slot = (slot + 1) & mask
      }
      out[i] = candidate
      if (candidate >= 0 && (lengths[i] as number) > inlineBytes) tails = true
    }
    // 3. Their records (and inline keys), in a loop short enough for many loads to be in flight at once.
    for (let i = 0; i < count; i++) {
      const at = (out[i] as number) * stride
      if (at >= 0) touched ^= (records[at + KEY_INFO] as number) ^ (records[at + stride - 1] as number)
    }
    // 4. Key tails in the arena, if any.
    if (tails) {
      const arena = this.arena
      for (let i = 0; i < count; i++) {
        const candidate = out[i] as number
        const length = lengths[i] as number
        if (candidate < 0 || length <= inlineBytes) continue
        const tailStart = records[candidate * stride + KEY_START] as number
        touched ^= (arena[tailStart] as number) ^ (arena[tailStart + length - inlineBytes - 1] as number)
      }
    }
    // 5. Confirm; a tag shared by another key (rare) falls back to a full probe.
    for (let i = 0; i < count; i++) {
      const candidate = out[i] as number
      if (candidate < 0) continue
      const start = starts[i] as number
      const length = lengths[i] as number
      const hash = hashes[i] as number
      if (!this.matches(candidate, source, start, length, hash)) out[i] = this.find(source, start, length, hash)
    }
    this.touched ^= touched
  }

  private matches(entry: number, source: Uint8Array, start: number, length: number, hash: number): boolean {
    const at = entry * this.stride
    const records = this.records
    return (
      records[at + HASH] === hash &&
      ((records[at + KEY_INFO] as number) & KEY_LENGTH_MASK) === length &&
      this.keyEquals(entry, source, start, length)
    )
  }

  /** Whether the entry's key is these bytes (its length already known to be `length`). */
  keyEquals(entry: number, source: Uint8Array, start: number, length: number): boolean {
    const inlineBytes = this.inlineBytes
    const head = length < inlineBytes ? length : inlineBytes
    const bytes = this.recordBytes
    const inlineStart = entry * this.stride * 4 + this.inlineOffset
    for (let i = 0; i < head; i++) if (bytes[inlineStart + i] !== source[start + i]) return false
    if (length === head) return true
    const arena = this.arena
    const tailStart = (this.records[entry * this.stride + KEY_START] as number) - head
    for (let i = head; i < length; i++) if (arena[tailStart + i] !== source[start + i]) return false
    return true
  }

  /**
   * Sizes the slot array for `entries` entries up front, so a big first load does not rehash (a pause
   * that cannot be sliced) part-way through.
   */
  reserve(entries: number): void {
    let size = this.slots.length
    while (entries * 2 > size) size *= 2
    if (size !== this.slots.length) this.resizeSlots(size)
  }

  /** Adds an entry for a key known to be absent; returns its id. */
  insert(source: Uint8Array, start: number, length: number, hash: number): number {
    if (length > MAX_KEY_LENGTH) throw new RangeError(`a key of ${length} bytes is longer than ${MAX_KEY_LENGTH}`)
    if ((this.size + 1) * 2 > this.slots.length) this.resizeSlots(this.slots.length * 2)
    const entry = this.allocate()
    const inlineBytes = this.inlineBytes
    const head = length < inlineBytes ? length : inlineBytes
    const bytes = this.recordBytes
    const inlineStart = entry * this.stride * 4 + this.inlineOffset
    for (let i = 0; i < head; i++) bytes[inlineStart + i] = source[start + i] as number
    const tail = length - head
    let tailStart = this.arenaUsed
    if (tail > 0) {
      if (tailStart + tail > this.arena.length) this.growArena(tail)
      const arena = this.arena
      for (let i = 0; i < tail; i++) arena[tailStart + i] = source[start + head + i] as number
      this.arenaUsed += tail
    } else {
      tailStart = 0
    }
    const at = entry * this.stride
    this.records[at + KEY_START] = tailStart
    this.records[at + KEY_INFO] = length
    this.records[at + HASH] = hash
    this.placeInSlot(entry, hash)
    this.size++
    return entry
  }

  /** Frees an entry; its id may be reused by a later insert. Its other fields keep their values. */
  remove(entry: number): void {
    const slots = this.slots
    const mask = this.mask
    const shift = this.shift
    const records = this.records
    const stride = this.stride
    const at = entry * stride
    let slot = Math.imul(records[at + HASH] as number, GOLDEN) >>> shift
    while (((slots[slot] as number) & this.entryMask) !== entry + 1) slot = (slot + 1) & mask
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let hole = slot
    let probe = slot
    for (;;) {
      probe = (probe + 1) & mask
      const stored = slots[probe] as number
      if (stored === 0) break
      const other = (stored & this.entryMask) - 1
      const home = Math.imul(records[other * stride + HASH] as number, GOLDEN) >>> shift
      if (((probe - home) & mask) >= ((probe - hole) & mask)) {
        slots[hole] = stored
        hole = probe
      }
    }
    slots[hole] = 0
    this.arenaGarbage += Math.max(0, ((records[at + KEY_INFO] as number) & KEY_LENGTH_MASK) - this.inlineBytes)
    records[at + KEY_START] = -1
    this.size--
    if (this.freeCount === this.freeIds.length) this.freeIds = grownInt32(this.freeIds, this.freeIds.length * 2)
    this.freeIds[this.freeCount++] = entry
  }

  /** The key from byte `from` on, as a string (keys are ASCII). */
  keyString(entry: number, from = 0): string {
    const length = this.keyLength(entry)
    const inlineBytes = this.inlineBytes
    const inlineStart = entry * this.stride * 4 + this.inlineOffset
    const tailStart = this.records[entry * this.stride + KEY_START] as number
    if (from >= inlineBytes)
      return this.arenaText.toString('latin1', tailStart + from - inlineBytes, tailStart + length - inlineBytes)
    if (length <= inlineBytes) return this.recordText.toString('latin1', inlineStart + from, inlineStart + length)
    return (
      this.recordText.toString('latin1', inlineStart + from, inlineStart + inlineBytes) +
      this.arenaText.toString('latin1', tailStart, tailStart + length - inlineBytes)
    )
  }

  /** Rewrites the arena without removed key tails once they take more room than live ones. */
  compactIfWasteful(): void {
    if (this.arenaGarbage < 1 << 20 || this.arenaGarbage < this.arenaUsed - this.arenaGarbage) return
    const live = new Uint8Array(Math.max(4096, (this.arenaUsed - this.arenaGarbage) * 2))
    const records = this.records
    const stride = this.stride
    let used = 0
    // In entry order, which is mostly the order keys arrive in.
    for (let entry = 0, at = 0; entry < this.top; entry++, at += stride) {
      const start = records[at + KEY_START] as number
      const tail = ((records[at + KEY_INFO] as number) & KEY_LENGTH_MASK) - this.inlineBytes
      if (start < 0 || tail <= 0) continue
      live.set(this.arena.subarray(start, start + tail), used)
      records[at + KEY_START] = used
      used += tail
    }
    this.setArena(live)
    this.arenaUsed = used
    this.arenaGarbage = 0
  }

  /** Bytes held in typed arrays (for figures). */
  get footprint(): number {
    return this.slots.byteLength + this.arena.byteLength + this.records.byteLength
  }

  /** Subclasses grow their parallel arrays here (calling super first). */
  protected growEntries(size: number): void {
    this.records = grownInt32(this.records, size * this.stride)
    this.recordBytes = new Uint8Array(this.records.buffer)
    this.recordText = Buffer.from(this.records.buffer)
  }

  /**
   * Entries in use never pass half the slots, and ids are reused before new ones are taken, so an id is
   * below half the slot count: log2(slots) bits hold id + 1, and the rest of the slot is tag.
   */
  private setEntryBits(): void {
    this.entryMask = this.slots.length - 1
    this.tagMask = ~this.entryMask
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.freeIds[--this.freeCount] as number
    if (this.top === this.capacity) this.growEntries(this.capacity * 2)
    return this.top++
  }

  private placeInSlot(entry: number, hash: number): void {
    const slots = this.slots
    const mask = this.mask
    let slot = Math.imul(hash, GOLDEN) >>> this.shift
    while (slots[slot] !== 0) slot = (slot + 1) & mask
    slots[slot] = (entry + 1) | (hash & this.tagMask)
  }

  private resizeSlots(size: number): void {
    this.slots = new Int32Array(size)
    this.mask = size - 1
    this.shift = 32 - Math.log2(size)
    this.setEntryBits()
    const records = this.records
    const stride = this.stride
    for (let entry = 0, at = 0; entry < this.top; entry++, at += stride) {
      if ((records[at + KEY_START] as number) >= 0) this.placeInSlot(entry, records[at + HASH] as number)
    }
  }

  private growArena(needed: number): void {
    const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + needed))
    bigger.set(this.arena.subarray(0, this.arenaUsed))
    this.setArena(bigger)
  }

  private setArena(arena: Uint8Array<ArrayBuffer>): void {
    this.arena = arena
    this.arenaText = Buffer.from(arena.buffer)
  }
}
