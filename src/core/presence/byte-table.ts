// A hash table keyed by byte strings, in flat typed arrays: open addressing with linear probing and
// backward-shift deletion (no tombstones), keys copied into one byte arena. Entry ids are dense and
// reused after removal, so callers keep their per-entry data in parallel typed arrays (subclasses grow
// them in growEntries). Lets the presence state recognise names straight from response bytes, with no
// JS string or object per entry for the garbage collector to trace.
import { Buffer } from 'node:buffer'

export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193
const GOLDEN = 0x9e3779b1

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
  /** Slot → entry + 1 (0 = empty). */
  private slots = new Int32Array(64)
  private shift = 32 - 6
  private mask = 63

  hash: Int32Array
  keyStart: Int32Array
  keyLength: Int32Array
  /** 1 while the entry is in use. */
  used: Uint8Array

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

  constructor(initialEntries = 64) {
    this.hash = new Int32Array(initialEntries)
    this.keyStart = new Int32Array(initialEntries)
    this.keyLength = new Int32Array(initialEntries)
    this.used = new Uint8Array(initialEntries)
  }

  get capacity(): number {
    return this.hash.length
  }

  /** The entry whose key is these bytes, or -1. */
  find(source: Uint8Array, start: number, length: number, hash: number): number {
    const slots = this.slots
    const mask = this.mask
    let slot = Math.imul(hash, GOLDEN) >>> this.shift
    for (;;) {
      const stored = slots[slot] as number
      if (stored === 0) return -1
      const entry = stored - 1
      if (this.hash[entry] === hash && this.keyLength[entry] === length && this.keyEquals(entry, source, start, length))
        return entry
      slot = (slot + 1) & mask
    }
  }

  keyEquals(entry: number, source: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena
    const keyStart = this.keyStart[entry] as number
    for (let i = 0; i < length; i++) if (arena[keyStart + i] !== source[start + i]) return false
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
    if ((this.size + 1) * 2 > this.slots.length) this.growSlots()
    const entry = this.allocate()
    if (this.arenaUsed + length > this.arena.length) this.growArena(length)
    const keyStart = this.arenaUsed
    const arena = this.arena
    for (let i = 0; i < length; i++) arena[keyStart + i] = source[start + i] as number
    this.arenaUsed += length
    this.hash[entry] = hash
    this.keyStart[entry] = keyStart
    this.keyLength[entry] = length
    this.used[entry] = 1
    this.placeInSlot(entry, hash)
    this.size++
    return entry
  }

  /** Frees an entry; its id may be reused by a later insert. */
  remove(entry: number): void {
    const slots = this.slots
    const mask = this.mask
    const shift = this.shift
    let slot = Math.imul(this.hash[entry] as number, GOLDEN) >>> shift
    while (slots[slot] !== entry + 1) slot = (slot + 1) & mask
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let hole = slot
    let probe = slot
    for (;;) {
      probe = (probe + 1) & mask
      const stored = slots[probe] as number
      if (stored === 0) break
      const home = Math.imul(this.hash[stored - 1] as number, GOLDEN) >>> shift
      if (((probe - home) & mask) >= ((probe - hole) & mask)) {
        slots[hole] = stored
        hole = probe
      }
    }
    slots[hole] = 0
    this.used[entry] = 0
    this.arenaGarbage += this.keyLength[entry] as number
    this.size--
    if (this.freeCount === this.freeIds.length) this.freeIds = grownInt32(this.freeIds, this.freeIds.length * 2)
    this.freeIds[this.freeCount++] = entry
  }

  keyString(entry: number, from = 0): string {
    const start = this.keyStart[entry] as number
    return this.arenaText.toString('latin1', start + from, start + (this.keyLength[entry] as number))
  }

  /** Rewrites the arena without removed keys once they take more room than live ones. */
  compactIfWasteful(): void {
    if (this.arenaGarbage < 1 << 20 || this.arenaGarbage < this.arenaUsed - this.arenaGarbage) return
    const live = new Uint8Array(Math.max(4096, (this.arenaUsed - this.arenaGarbage) * 2))
    let used = 0
    for (let entry = 0; entry < this.top; entry++) {
      if (this.used[entry] === 0) continue
      const start = this.keyStart[entry] as number
      const length = this.keyLength[entry] as number
      live.set(this.arena.subarray(start, start + length), used)
      this.keyStart[entry] = used
      used += length
    }
    this.setArena(live)
    this.arenaUsed = used
    this.arenaGarbage = 0
  }

  /** Bytes held in typed arrays (for figures). */
  get footprint(): number {
    return this.slots.byteLength + this.arena.byteLength + this.capacity * 13
  }

  /** Subclasses grow their per-entry arrays here (calling super first). */
  protected growEntries(size: number): void {
    this.hash = grownInt32(this.hash, size)
    this.keyStart = grownInt32(this.keyStart, size)
    this.keyLength = grownInt32(this.keyLength, size)
    this.used = grownUint8(this.used, size)
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
    slots[slot] = entry + 1
  }

  private growSlots(): void {
    this.resizeSlots(this.slots.length * 2)
  }

  private resizeSlots(size: number): void {
    this.slots = new Int32Array(size)
    this.mask = size - 1
    this.shift = 32 - Math.log2(size)
    for (let entry = 0; entry < this.top; entry++) {
      if (this.used[entry] === 1) this.placeInSlot(entry, this.hash[entry] as number)
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
