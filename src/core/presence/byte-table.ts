// A hash table keyed by byte strings, in flat typed arrays: open addressing with linear probing and
// backward-shift deletion (no tombstones). Each entry is one record: its int32 fields (the key's length
// and hash first, then the subclass's), then the first bytes of its key; the rest of a longer key goes to
// a byte arena. A lookup that lands on an entry thus finds its fields and, for short keys, the whole key
// in one or two adjacent cache lines, wherever the entry is. Records live in pages of PAGE_ENTRIES and key
// tails in arena pages of a megabyte, so the table grows a page at a time and never copies what it holds
// (a million-entry table copied in one go would hold the event loop, and briefly need the memory twice).
// Entry ids are dense and reused after removal. Lets the presence state recognise names straight from
// response bytes, with no JS string or object per entry for the garbage collector to trace.
import { Buffer } from 'node:buffer'

export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193
const GOLDEN = 0x9e3779b1

/** Entry e's record is in page e >>> PAGE_BITS, at index (e & PAGE_MASK) * stride. */
export const PAGE_BITS = 12
export const PAGE_ENTRIES = 1 << PAGE_BITS
export const PAGE_MASK = PAGE_ENTRIES - 1
/** Key tails go to arena pages of this size (a tail never straddles two): KEY_START is page << ARENA_PAGE_BITS | offset. */
const ARENA_PAGE_BITS = 20
const ARENA_PAGE = 1 << ARENA_PAGE_BITS
const ARENA_OFFSET_MASK = ARENA_PAGE - 1

/** Record fields every table has. Where the key's tail starts in the arena; -1 while the entry is free. */
export const KEY_START = 0
/** Low 24 bits: the key's length; the high 8 bits belong to the subclass. */
export const KEY_INFO = 1
export const HASH = 2
export const BASE_FIELDS = 3
export const KEY_LENGTH_MASK = 0xffffff
/** Keys longer than this are refused (a channel name has at most 164 characters); a tail fits an arena page. */
export const MAX_KEY_LENGTH = ARENA_PAGE

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

/** Strings up to this many bytes are made by shortLatin1String. */
export const SHORT_STRING_BYTES = 12

/**
 * `length` (at most SHORT_STRING_BYTES) bytes as a latin1 string, the way Buffer's latin1 decoding makes
 * it, several times faster for a short string (a user id): no call out of JavaScript. A first sync makes
 * a million of them.
 */
export function shortLatin1String(b: Uint8Array, at: number, length: number): string {
  const c = String.fromCharCode
  switch (length) {
    case 0:
      return ''
    case 1:
      return c(b[at] as number)
    case 2:
      return c(b[at] as number, b[at + 1] as number)
    case 3:
      return c(b[at] as number, b[at + 1] as number, b[at + 2] as number)
    case 4:
      return c(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + 3] as number)
    case 5:
      return c(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + 3] as number, b[at + 4] as number)
    case 6:
      return c(
        b[at] as number,
        b[at + 1] as number,
        b[at + 2] as number,
        b[at + 3] as number,
        b[at + 4] as number,
        b[at + 5] as number,
      )
    case 7:
      return c(
        b[at] as number,
        b[at + 1] as number,
        b[at + 2] as number,
        b[at + 3] as number,
        b[at + 4] as number,
        b[at + 5] as number,
        b[at + 6] as number,
      )
    case 8:
      return c(
        b[at] as number,
        b[at + 1] as number,
        b[at + 2] as number,
        b[at + 3] as number,
        b[at + 4] as number,
        b[at + 5] as number,
        b[at + 6] as number,
        b[at + 7] as number,
      )
    default:
      if (length < 0 || length > SHORT_STRING_BYTES) throw new RangeError(`not a short string: ${length} bytes`)
      // Two halves: joined into one flat string (V8 makes no rope of so short a result).
      return shortLatin1String(b, at, 8) + shortLatin1String(b, at + 8, length - 8)
  }
}

/** Int32 elements in a 4 KB memory page, the smallest the systems Headcount runs on map. */
const PAGE_INT32S = 1024

/**
 * Writes a zero into each memory page of `array[from, to)`: a fresh array's pages are mapped by the system
 * when first written, at a few µs each, so a caller spreads that cost over turns of its choosing.
 */
export function touchPages(array: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i += PAGE_INT32S) array[i] = 0
}

export function grownInt32(array: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size)
  next.set(array)
  if (fill !== 0) next.fill(fill, array.length)
  return next
}

export class ByteKeyedTable {
  /** Int32 fields per entry, the key's first bytes included. */
  readonly stride: number
  /** Byte offset of the key's first bytes within a record, and how many fit there. */
  readonly inlineOffset: number
  readonly inlineBytes: number
  /**
   * The records, PAGE_ENTRIES entries a page (the only page of a small table is smaller, and doubles
   * until it is full size): entry e's field f is pages[e >>> PAGE_BITS][(e & PAGE_MASK) * stride + f].
   * A page is replaced only while the table has one; hold on to one only between inserts.
   */
  pages: Array<Int32Array<ArrayBuffer>> = []
  /** The same pages as bytes (inline keys), as float64s (fields a subclass keeps as numbers) and as Buffers. */
  bytePages: Array<Uint8Array<ArrayBuffer>> = []
  floatPages: Array<Float64Array<ArrayBuffer>> = []
  private textPages: Buffer[] = []
  /** Entries the pages hold. */
  capacity = 0

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

  /** Key bytes past the inline ones, in pages (the first grows up to ARENA_PAGE before a second is added). */
  private arenaPages: Array<Uint8Array<ArrayBuffer>> = []
  /** The pages as Buffers, whose latin1 decoding is the fastest way from bytes to a short string. */
  private arenaTexts: Buffer[] = []
  /** Where the next tail goes (page << ARENA_PAGE_BITS | offset), and bytes of removed keys' tails. */
  private arenaUsed = 0
  private arenaLive = 0
  private arenaGarbage = 0

  /** Entries ever allocated (high-water mark): ids below it are in use or free. */
  top = 0
  /** Entries in use. */
  size = 0
  /** Whether the last findOrInsert added its key. */
  added = false
  private freeIds = new Int32Array(64)
  private freeCount = 0
  /** Sink for the loads findMany issues ahead of time, so the compiler keeps them. */
  private touched = 0

  /**
   * `fields` int32 fields per entry (BASE_FIELDS and the subclass's), then `inlineBytes` (a multiple of
   * 4) of each key kept in the record itself. Float64 fields (floatPages) need an even stride and index.
   */
  constructor(fields = BASE_FIELDS, inlineBytes = 0, initialEntries = 64) {
    if (fields < BASE_FIELDS) throw new RangeError(`a table needs at least ${BASE_FIELDS} fields per entry`)
    if (inlineBytes % 4 !== 0) throw new RangeError('inline key bytes must be a multiple of 4')
    this.stride = fields + inlineBytes / 4
    this.inlineOffset = fields * 4
    this.inlineBytes = inlineBytes
    let first = 2
    while (first < initialEntries && first < PAGE_ENTRIES) first *= 2
    this.setPage(0, new Int32Array(first * this.stride))
    this.capacity = first
    this.setEntryBits()
    this.resetArena(4096)
  }

  /** Entry e's int32 field f. */
  field(entry: number, f: number): number {
    return (this.pages[entry >>> PAGE_BITS] as Int32Array)[(entry & PAGE_MASK) * this.stride + f] as number
  }

  setField(entry: number, f: number, value: number): void {
    ;(this.pages[entry >>> PAGE_BITS] as Int32Array)[(entry & PAGE_MASK) * this.stride + f] = value
  }

  /** Entry e's float64 at int32 fields f and f + 1 (f even, stride even). */
  floatField(entry: number, f: number): number {
    return (this.floatPages[entry >>> PAGE_BITS] as Float64Array)[
      ((entry & PAGE_MASK) * this.stride + f) >> 1
    ] as number
  }

  setFloatField(entry: number, f: number, value: number): void {
    ;(this.floatPages[entry >>> PAGE_BITS] as Float64Array)[((entry & PAGE_MASK) * this.stride + f) >> 1] = value
  }

  keyLength(entry: number): number {
    return this.field(entry, KEY_INFO) & KEY_LENGTH_MASK
  }

  /** Byte `index` of the entry's key. */
  keyByte(entry: number, index: number): number {
    if (index < this.inlineBytes)
      return (this.bytePages[entry >>> PAGE_BITS] as Uint8Array)[this.inlineKeyAt(entry) + index] as number
    const start = this.field(entry, KEY_START)
    return (this.arenaPages[start >>> ARENA_PAGE_BITS] as Uint8Array)[
      (start & ARENA_OFFSET_MASK) + index - this.inlineBytes
    ] as number
  }

  /** Where the entry's key starts in its page of bytePages (whole there when not longer than inlineBytes). */
  inlineKeyAt(entry: number): number {
    return (entry & PAGE_MASK) * this.stride * 4 + this.inlineOffset
  }

  /** True while the entry holds a key. */
  isUsed(entry: number): boolean {
    return this.field(entry, KEY_START) >= 0
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
    const pages = this.pages
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
      const candidate = out[i] as number
      if (candidate < 0) continue
      const page = pages[candidate >>> PAGE_BITS] as Int32Array
      const at = (candidate & PAGE_MASK) * stride
      touched ^= (page[at + KEY_INFO] as number) ^ (page[at + stride - 1] as number)
    }
    // 4. Key tails in the arena, if any.
    if (tails) {
      const arenaPages = this.arenaPages
      for (let i = 0; i < count; i++) {
        const candidate = out[i] as number
        const length = lengths[i] as number
        if (candidate < 0 || length <= inlineBytes) continue
        const tailStart = this.field(candidate, KEY_START)
        const arena = arenaPages[tailStart >>> ARENA_PAGE_BITS] as Uint8Array
        const offset = tailStart & ARENA_OFFSET_MASK
        touched ^= (arena[offset] as number) ^ (arena[offset + length - inlineBytes - 1] as number)
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

  /**
   * Reads the home slots of these hashes, so that the lookups or inserts that follow find them in cache:
   * their cache misses overlap here instead of coming one after another (see findMany).
   */
  prefetch(hashes: Int32Array, count: number): void {
    const slots = this.slots
    const shift = this.shift
    let touched = 0
    for (let i = 0; i < count; i++) touched ^= slots[Math.imul(hashes[i] as number, GOLDEN) >>> shift] as number
    this.touched ^= touched
  }

  private matches(entry: number, source: Uint8Array, start: number, length: number, hash: number): boolean {
    const page = this.pages[entry >>> PAGE_BITS] as Int32Array
    const at = (entry & PAGE_MASK) * this.stride
    return (
      page[at + HASH] === hash &&
      ((page[at + KEY_INFO] as number) & KEY_LENGTH_MASK) === length &&
      this.keyEquals(entry, source, start, length)
    )
  }

  /** Whether the entry's key is these bytes (its length already known to be `length`). */
  keyEquals(entry: number, source: Uint8Array, start: number, length: number): boolean {
    const inlineBytes = this.inlineBytes
    const head = length < inlineBytes ? length : inlineBytes
    const bytes = this.bytePages[entry >>> PAGE_BITS] as Uint8Array
    const inlineStart = this.inlineKeyAt(entry)
    for (let i = 0; i < head; i++) if (bytes[inlineStart + i] !== source[start + i]) return false
    if (length === head) return true
    const tailStart = this.field(entry, KEY_START)
    const arena = this.arenaPages[tailStart >>> ARENA_PAGE_BITS] as Uint8Array
    const offset = (tailStart & ARENA_OFFSET_MASK) - head
    for (let i = head; i < length; i++) if (arena[offset + i] !== source[start + i]) return false
    return true
  }

  /**
   * Sizes the slot array for `entries` entries up front (at most three quarters full, as inserts keep
   * it), so a big first load does not rehash (a pause that cannot be sliced) part-way through.
   */
  reserve(entries: number): void {
    const slots = this.freshSlotsFor(entries)
    if (slots !== null) this.adoptSlots(slots)
  }

  /**
   * An empty slot array big enough for `entries` entries, or null when the table's is already: reserve
   * in two steps, for a caller that first touches its pages (touchPages) a few at a time between turns,
   * since at a million entries first touches of the fresh pages are 5-30 ms, and then adopts it.
   */
  freshSlotsFor(entries: number): Int32Array<ArrayBuffer> | null {
    let size = this.slots.length
    while (entries * 4 > size * 3) size *= 2
    return size === this.slots.length ? null : new Int32Array(size)
  }

  /**
   * Places every entry in `slots` (empty, from freshSlotsFor) and keeps them; dropped instead if inserts
   * meanwhile grew the table's own slots as big.
   */
  adoptSlots(slots: Int32Array<ArrayBuffer>): void {
    if (slots.length > this.slots.length) this.rehashInto(slots)
  }

  /** Adds an entry for a key known to be absent; returns its id. */
  insert(source: Uint8Array, start: number, length: number, hash: number): number {
    if (length > MAX_KEY_LENGTH) throw new RangeError(`a key of ${length} bytes is longer than ${MAX_KEY_LENGTH}`)
    // Up to three quarters full: linear probing with tags stays short there, and a table reserved for
    // an estimate that falls a little short does not rehash.
    if ((this.size + 1) * 4 > this.slots.length * 3) this.rehashInto(new Int32Array(this.slots.length * 2))
    const entry = this.store(source, start, length, hash)
    this.placeInSlot(entry, hash)
    return entry
  }

  /**
   * The entry whose key is these bytes, added if absent (and then `added` is true): one probe where a
   * find and an insert take two, for loads that mostly add (a first sync adds every name it reads).
   */
  findOrInsert(source: Uint8Array, start: number, length: number, hash: number): number {
    if (length > MAX_KEY_LENGTH) throw new RangeError(`a key of ${length} bytes is longer than ${MAX_KEY_LENGTH}`)
    const slots = this.slots
    const mask = this.mask
    const tagMask = this.tagMask
    const tag = hash & tagMask
    let slot = Math.imul(hash, GOLDEN) >>> this.shift
    for (;;) {
      const stored = slots[slot] as number
      if (stored === 0) break
      if ((stored & tagMask) === tag) {
        const entry = (stored & this.entryMask) - 1
        if (this.matches(entry, source, start, length, hash)) {
          this.added = false
          return entry
        }
      }
      slot = (slot + 1) & mask
    }
    this.added = true
    // Full enough to grow: the slots move, so the key is placed by a fresh probe (as insert does).
    if ((this.size + 1) * 4 > slots.length * 3) return this.insert(source, start, length, hash)
    const entry = this.store(source, start, length, hash)
    slots[slot] = (entry + 1) | tag
    return entry
  }

  /** Takes an entry id and writes the key into its record (and the arena); the caller gives it a slot. */
  private store(source: Uint8Array, start: number, length: number, hash: number): number {
    const entry = this.allocate()
    const inlineBytes = this.inlineBytes
    const head = length < inlineBytes ? length : inlineBytes
    const inlineStart = this.inlineKeyAt(entry)
    // Four bytes to a store where they fill a word (the inline part starts on one): a million names
    // are copied into fresh pages by a first sync. Int32Array is little-endian on every platform Headcount runs on.
    const page = this.pages[entry >>> PAGE_BITS] as Int32Array
    let word = inlineStart >>> 2
    let i = 0
    for (; i + 4 <= head; i += 4) {
      const at = start + i
      page[word++] =
        (source[at] as number) |
        ((source[at + 1] as number) << 8) |
        ((source[at + 2] as number) << 16) |
        ((source[at + 3] as number) << 24)
    }
    if (i < head) {
      const bytes = this.bytePages[entry >>> PAGE_BITS] as Uint8Array
      for (; i < head; i++) bytes[inlineStart + i] = source[start + i] as number
    }
    const tail = length - head
    let tailStart = 0
    if (tail > 0) {
      tailStart = this.allocateTail(tail)
      const arena = this.arenaPages[tailStart >>> ARENA_PAGE_BITS] as Uint8Array
      const offset = tailStart & ARENA_OFFSET_MASK
      for (let i = 0; i < tail; i++) arena[offset + i] = source[start + head + i] as number
      this.arenaLive += tail
    }
    const at = (entry & PAGE_MASK) * this.stride
    page[at + KEY_START] = tailStart
    page[at + KEY_INFO] = length
    page[at + HASH] = hash
    this.size++
    return entry
  }

  /** Frees an entry; its id may be reused by a later insert. Its other fields keep their values. */
  remove(entry: number): void {
    const slots = this.slots
    const mask = this.mask
    const shift = this.shift
    const pages = this.pages
    const stride = this.stride
    const page = pages[entry >>> PAGE_BITS] as Int32Array
    const at = (entry & PAGE_MASK) * stride
    let slot = Math.imul(page[at + HASH] as number, GOLDEN) >>> shift
    while (((slots[slot] as number) & this.entryMask) !== entry + 1) slot = (slot + 1) & mask
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let hole = slot
    let probe = slot
    for (;;) {
      probe = (probe + 1) & mask
      const stored = slots[probe] as number
      if (stored === 0) break
      const other = (stored & this.entryMask) - 1
      const otherPage = pages[other >>> PAGE_BITS] as Int32Array
      const home = Math.imul(otherPage[(other & PAGE_MASK) * stride + HASH] as number, GOLDEN) >>> shift
      if (((probe - home) & mask) >= ((probe - hole) & mask)) {
        slots[hole] = stored
        hole = probe
      }
    }
    slots[hole] = 0
    const tail = ((page[at + KEY_INFO] as number) & KEY_LENGTH_MASK) - this.inlineBytes
    if (tail > 0) {
      this.arenaGarbage += tail
      this.arenaLive -= tail
    }
    page[at + KEY_START] = -1
    this.size--
    if (this.freeCount === this.freeIds.length) this.freeIds = grownInt32(this.freeIds, this.freeIds.length * 2)
    this.freeIds[this.freeCount++] = entry
  }

  /** The key from byte `from` on, as a string (keys are ASCII). */
  keyString(entry: number, from = 0): string {
    const length = this.keyLength(entry)
    const inlineBytes = this.inlineBytes
    const inlineStart = this.inlineKeyAt(entry)
    const count = length - from
    if (length <= inlineBytes && count >= 0 && count <= SHORT_STRING_BYTES)
      return shortLatin1String(this.bytePages[entry >>> PAGE_BITS] as Uint8Array, inlineStart + from, count)
    const recordText = this.textPages[entry >>> PAGE_BITS] as Buffer
    const tailStart = this.field(entry, KEY_START)
    const arenaText = this.arenaTexts[tailStart >>> ARENA_PAGE_BITS] as Buffer
    const offset = tailStart & ARENA_OFFSET_MASK
    if (from >= inlineBytes)
      return arenaText.toString('latin1', offset + from - inlineBytes, offset + length - inlineBytes)
    if (length <= inlineBytes) return recordText.toString('latin1', inlineStart + from, inlineStart + length)
    return (
      recordText.toString('latin1', inlineStart + from, inlineStart + inlineBytes) +
      arenaText.toString('latin1', offset, offset + length - inlineBytes)
    )
  }

  /** Rewrites the arena without removed key tails once they take more room than live ones. */
  compactIfWasteful(): void {
    if (this.arenaGarbage < 1 << 20 || this.arenaGarbage < this.arenaLive) return
    const old = this.arenaPages
    this.resetArena(Math.min(ARENA_PAGE, Math.max(4096, this.arenaLive * 2)))
    const stride = this.stride
    // In entry order, which is mostly the order keys arrive in.
    for (let entry = 0; entry < this.top; entry++) {
      const page = this.pages[entry >>> PAGE_BITS] as Int32Array
      const at = (entry & PAGE_MASK) * stride
      const start = page[at + KEY_START] as number
      const tail = ((page[at + KEY_INFO] as number) & KEY_LENGTH_MASK) - this.inlineBytes
      if (start < 0 || tail <= 0) continue
      const from = start & ARENA_OFFSET_MASK
      const moved = this.allocateTail(tail)
      ;(this.arenaPages[moved >>> ARENA_PAGE_BITS] as Uint8Array).set(
        (old[start >>> ARENA_PAGE_BITS] as Uint8Array).subarray(from, from + tail),
        moved & ARENA_OFFSET_MASK,
      )
      page[at + KEY_START] = moved
    }
    this.arenaGarbage = 0
  }

  /** Slots in the hash index (for figures and tests: how the table was sized). */
  get slotCount(): number {
    return this.slots.length
  }

  /** Bytes held in typed arrays (for figures). */
  get footprint(): number {
    let bytes = this.slots.byteLength
    for (const page of this.pages) bytes += page.byteLength
    for (const page of this.arenaPages) bytes += page.byteLength
    return bytes
  }

  /**
   * Entries in use never pass three quarters of the slots, and ids are reused before new ones are
   * taken, so an id is below the slot count: log2(slots) bits hold id + 1, and the rest of the slot is tag.
   */
  private setEntryBits(): void {
    this.entryMask = this.slots.length - 1
    this.tagMask = ~this.entryMask
  }

  private setPage(index: number, page: Int32Array<ArrayBuffer>): void {
    this.pages[index] = page
    this.bytePages[index] = new Uint8Array(page.buffer)
    this.floatPages[index] = new Float64Array(page.buffer)
    this.textPages[index] = Buffer.from(page.buffer)
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.freeIds[--this.freeCount] as number
    if (this.top === this.capacity) {
      if (this.capacity < PAGE_ENTRIES) {
        // The only page, still small: doubled (a copy of at most half a page).
        const bigger = new Int32Array(this.capacity * 2 * this.stride)
        bigger.set(this.pages[0] as Int32Array)
        this.setPage(0, bigger)
        this.capacity *= 2
      } else {
        this.setPage(this.pages.length, new Int32Array(PAGE_ENTRIES * this.stride))
        this.capacity += PAGE_ENTRIES
      }
    }
    return this.top++
  }

  /** Room for a key tail of `length` bytes in one arena page; returns where it starts. */
  private allocateTail(length: number): number {
    let page = this.arenaUsed >>> ARENA_PAGE_BITS
    let offset = this.arenaUsed & ARENA_OFFSET_MASK
    // The last tail filled its page exactly.
    if (page === this.arenaPages.length) this.addArenaPage()
    let current = this.arenaPages[page] as Uint8Array<ArrayBuffer>
    if (offset + length > current.length) {
      if (current.length < ARENA_PAGE && offset + length <= ARENA_PAGE) {
        // A small first page grows (copying at most half a megabyte) before more pages are added.
        let size = current.length * 2
        while (size < offset + length) size *= 2
        const bigger = new Uint8Array(Math.min(size, ARENA_PAGE))
        bigger.set(current.subarray(0, offset))
        current = bigger
        this.arenaPages[page] = bigger
        this.arenaTexts[page] = Buffer.from(bigger.buffer)
      } else {
        // What is left of this page stays unused.
        this.arenaGarbage += current.length - offset
        page++
        offset = 0
        if (page === this.arenaPages.length) this.addArenaPage()
      }
    }
    const start = (page << ARENA_PAGE_BITS) | offset
    this.arenaUsed = start + length
    return start
  }

  /** An empty arena whose first page has `size` bytes. */
  private resetArena(size: number): void {
    const first = new Uint8Array(size)
    this.arenaPages = [first]
    this.arenaTexts = [Buffer.from(first.buffer)]
    this.arenaUsed = 0
  }

  private addArenaPage(): void {
    const page = new Uint8Array(ARENA_PAGE)
    this.arenaPages.push(page)
    this.arenaTexts.push(Buffer.from(page.buffer))
  }

  private placeInSlot(entry: number, hash: number): void {
    const slots = this.slots
    const mask = this.mask
    let slot = Math.imul(hash, GOLDEN) >>> this.shift
    while (slots[slot] !== 0) slot = (slot + 1) & mask
    slots[slot] = (entry + 1) | (hash & this.tagMask)
  }

  private rehashInto(slots: Int32Array<ArrayBuffer>): void {
    const size = slots.length
    this.slots = slots
    this.mask = size - 1
    this.shift = 32 - Math.log2(size)
    this.setEntryBits()
    const stride = this.stride
    for (let entry = 0; entry < this.top; entry++) {
      const page = this.pages[entry >>> PAGE_BITS] as Int32Array
      const at = (entry & PAGE_MASK) * stride
      if ((page[at + KEY_START] as number) >= 0) this.placeInSlot(entry, page[at + HASH] as number)
    }
  }
}
