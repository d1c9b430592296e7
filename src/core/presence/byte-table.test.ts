import { describe, expect, it } from 'vitest'
import { Buffer } from 'node:buffer'
import {
  BASE_FIELDS,
  ByteKeyedTable,
  hashBytes,
  PAGE_ENTRIES,
  SHORT_STRING_BYTES,
  shortLatin1String,
  touchPages,
} from './byte-table.ts'

const encoder = new TextEncoder()

/** A reproducible stream of integers below `bound`. */
function sequence(seed: number): (bound: number) => number {
  let state = seed
  return (bound) => (state = (Math.imul(state, 48271) + 11) >>> 0) % bound
}

describe('ByteKeyedTable', () => {
  // Without inline key bytes, and with 8 of them: keys up to 8 bytes live in the record, longer ones
  // continue in the arena.
  for (const inlineBytes of [0, 8]) {
    it(`agrees with a Map through many inserts and removals (${inlineBytes} inline key bytes)`, () => {
      const table = new ByteKeyedTable(BASE_FIELDS, inlineBytes)
      const reference = new Map<string, number>()
      const next = sequence(1)
      for (let step = 0; step < 200_000; step++) {
        const id = next(5000)
        // Lengths from 2 to over 20 bytes, the same for a given id.
        const key = `k${id}`.padEnd(2 + (id % 23), '.')
        const bytes = encoder.encode(key)
        const hash = hashBytes(bytes, 0, bytes.length)
        const found = table.find(bytes, 0, bytes.length, hash)
        expect(found).toBe(reference.get(key) ?? -1)
        if (found < 0) reference.set(key, table.insert(bytes, 0, bytes.length, hash))
        else if (step % 3 !== 0) {
          table.remove(found)
          reference.delete(key)
        }
        if (step % 10_000 === 0) table.compactIfWasteful()
      }
      expect(table.size).toBe(reference.size)
      for (const [key, entry] of reference) {
        expect(table.keyString(entry)).toBe(key)
        expect(table.keyString(entry, 3)).toBe(key.slice(3))
        expect(table.keyString(entry, 10)).toBe(key.slice(10))
        expect(String.fromCharCode(...Array.from(key, (_, i) => table.keyByte(entry, i)))).toBe(key)
        expect(table.isUsed(entry)).toBe(true)
      }
    }, 60_000)
  }

  it('keeps keys and fields across record and arena pages, through removals, reuse and compaction', () => {
    // An int32 field and a float64 one (an even index) after the base fields, 8 key bytes inline.
    const VALUE = BASE_FIELDS
    const STAMP = BASE_FIELDS + 1
    const table = new ByteKeyedTable(BASE_FIELDS + 3, 8)
    const reference = new Map<string, { entry: number; value: number }>()
    const next = sequence(3)
    // Keys of 1 to 1,200 bytes: several arena pages of a megabyte, and more than three record pages.
    const keyOf = (id: number): string => `key-${id}-`.padEnd(1 + (id % 1200), String.fromCharCode(97 + (id % 26)))
    const check = (key: string, entry: number, value: number): void => {
      expect(table.keyString(entry)).toBe(key)
      expect(table.keyString(entry, 5)).toBe(key.slice(5))
      expect(table.keyLength(entry)).toBe(key.length)
      expect(table.field(entry, VALUE)).toBe(value)
      expect(table.floatField(entry, STAMP)).toBe(value * 1.5)
    }
    let firstPage: Int32Array | null = null
    for (let step = 0; step < 60_000; step++) {
      const id = step < 4 * PAGE_ENTRIES ? step : next(6 * PAGE_ENTRIES)
      const key = keyOf(id)
      const bytes = encoder.encode(key)
      const hash = hashBytes(bytes, 0, bytes.length)
      const found = table.find(bytes, 0, bytes.length, hash)
      const known = reference.get(key)
      expect(found).toBe(known?.entry ?? -1)
      if (known === undefined) {
        const entry = table.insert(bytes, 0, bytes.length, hash)
        table.setField(entry, VALUE, step)
        table.setFloatField(entry, STAMP, step * 1.5)
        reference.set(key, { entry, value: step })
      } else {
        check(key, known.entry, known.value)
        if (step % 2 === 0) {
          table.remove(known.entry)
          reference.delete(key)
        }
      }
      // Growing by pages never replaces a full page: what it holds is not copied.
      if (table.capacity >= PAGE_ENTRIES && firstPage === null) firstPage = table.pages[0] as Int32Array
      if (step % 5000 === 0) table.compactIfWasteful()
    }
    expect(table.pages.length).toBeGreaterThan(3)
    expect(table.pages[0]).toBe(firstPage)
    expect(table.size).toBe(reference.size)
    for (const [key, { entry, value }] of reference) check(key, entry, value)
    // Most keys gone: their tails are garbage, and compaction rewrites the live ones into fresh pages.
    const footprint = table.footprint
    let kept = 0
    for (const [key, { entry }] of reference) {
      if (kept++ % 10 === 0) continue
      table.remove(entry)
      reference.delete(key)
    }
    table.compactIfWasteful()
    expect(table.footprint).toBeLessThan(footprint)
    for (const [key, { entry, value }] of reference) {
      check(key, entry, value)
      const bytes = encoder.encode(key)
      expect(table.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))).toBe(entry)
    }
  }, 120_000)

  it('findOrInsert builds the same table as find then insert, growing through resizes and removals', () => {
    // From the smallest table up, so the index is resized while keys are added in one probe.
    const general = new ByteKeyedTable(BASE_FIELDS, 8, 2)
    const oneProbe = new ByteKeyedTable(BASE_FIELDS, 8, 2)
    const next = sequence(5)
    const keys: string[] = []
    for (let step = 0; step < 60_000; step++) {
      // Mostly new keys, some repeated (a duplicate name in a body), a few removed.
      const id = step % 7 === 0 ? next(step + 1) : step
      const key = `user-${id}`.padEnd(4 + (id % 19), '~')
      const bytes = encoder.encode(` ${key} `)
      const hash = hashBytes(bytes, 1, key.length)
      let expected = general.find(bytes, 1, key.length, hash)
      const expectedAdded = expected < 0
      if (expectedAdded) expected = general.insert(bytes, 1, key.length, hash)
      const entry = oneProbe.findOrInsert(bytes, 1, key.length, hash)
      expect(entry).toBe(expected)
      expect(oneProbe.added).toBe(expectedAdded)
      if (expectedAdded) keys.push(key)
      if (step % 11 === 0 && !expectedAdded) {
        general.remove(expected)
        oneProbe.remove(entry)
      }
    }
    expect(oneProbe.size).toBe(general.size)
    expect(oneProbe.slotCount).toBe(general.slotCount)
    for (const key of keys) {
      const bytes = encoder.encode(key)
      const hash = hashBytes(bytes, 0, bytes.length)
      const entry = oneProbe.find(bytes, 0, bytes.length, hash)
      expect(entry).toBe(general.find(bytes, 0, bytes.length, hash))
      if (entry >= 0) expect(oneProbe.keyString(entry)).toBe(key)
    }
  }, 60_000)

  it('makes short strings from bytes exactly as latin1 decoding does, at every length it handles', () => {
    const next = sequence(9)
    const bytes = new Uint8Array(64)
    for (let round = 0; round < 200; round++) {
      // Any byte, those above 0x7f included (latin1 maps each to one code unit).
      for (let i = 0; i < bytes.length; i++) bytes[i] = next(256)
      for (let length = 0; length <= SHORT_STRING_BYTES; length++) {
        const at = next(bytes.length - length)
        expect(shortLatin1String(bytes, at, length)).toBe(Buffer.from(bytes).toString('latin1', at, at + length))
      }
    }
  })

  it('finds many keys at once exactly as find does one at a time', () => {
    const table = new ByteKeyedTable(BASE_FIELDS + 2, 12)
    const next = sequence(7)
    const present = new Map<string, number>()
    for (let i = 0; i < 20_000; i++) {
      const key = `name-${next(1_000_000)}-${'x'.repeat(next(30))}`
      const bytes = encoder.encode(key)
      const hash = hashBytes(bytes, 0, bytes.length)
      if (table.find(bytes, 0, bytes.length, hash) < 0) present.set(key, table.insert(bytes, 0, bytes.length, hash))
    }
    // Some removed, so probe runs have been shifted back.
    for (const [key, entry] of [...present].filter((_, i) => i % 7 === 0)) {
      table.remove(entry)
      present.delete(key)
    }
    const known = [...present.keys()]
    // One body holding present keys, absent ones and repeats, in a random order.
    const keys = Array.from({ length: 3000 }, (_, i) =>
      i % 5 === 0 ? `absent-${i}` : i % 11 === 0 ? (known[7] as string) : (known[next(known.length)] as string),
    )
    const body = encoder.encode(keys.join('|'))
    const starts = new Int32Array(keys.length)
    const lengths = new Int32Array(keys.length)
    const hashes = new Int32Array(keys.length)
    let at = 0
    keys.forEach((key, i) => {
      starts[i] = at
      lengths[i] = key.length
      hashes[i] = hashBytes(body, at, key.length)
      at += key.length + 1
    })
    const out = new Int32Array(keys.length)
    // In chunks, as the scanner does, and all at once.
    for (const chunk of [32, keys.length]) {
      for (let from = 0; from < keys.length; from += chunk) {
        const count = Math.min(chunk, keys.length - from)
        table.findMany(
          body,
          starts.subarray(from),
          lengths.subarray(from),
          hashes.subarray(from),
          count,
          out.subarray(from),
        )
      }
      keys.forEach((key, i) => expect(out[i]).toBe(present.get(key) ?? -1))
    }
  })

  it('finds keys by bytes anywhere in a larger buffer, and sizes itself ahead', () => {
    const table = new ByteKeyedTable()
    table.reserve(10_000)
    const body = encoder.encode('xx"private-a-b"yy')
    const entry = table.insert(body, 3, 11, hashBytes(body, 3, 11))
    const key = encoder.encode('private-a-b')
    expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(entry)
    expect(table.keyString(entry, 8)).toBe('a-b')
    for (let i = 0; i < 10_000; i++) {
      const other = encoder.encode(`n${i}`)
      table.insert(other, 0, other.length, hashBytes(other, 0, other.length))
    }
    expect(table.find(key, 0, key.length, hashBytes(key, 0, key.length))).toBe(entry)
  })

  it('sizes itself in two steps: fresh slots readied by the caller, then adopted unless it grew past them meanwhile', () => {
    const table = new ByteKeyedTable(BASE_FIELDS, 8)
    const add = (key: string): number => {
      const bytes = encoder.encode(key)
      return table.insert(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
    }
    const find = (key: string): number => {
      const bytes = encoder.encode(key)
      return table.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
    }
    const early = Array.from({ length: 40 }, (_, i) => add(`early-${i}`))
    expect(table.freshSlotsFor(40)).toBeNull()
    const slots = table.freshSlotsFor(5_000) as Int32Array<ArrayBuffer>
    expect(slots.length).toBe(8192)
    touchPages(slots, 0, slots.length)
    // Keys added while the slots were readied are placed too.
    const meanwhile = add('added-meanwhile')
    table.adoptSlots(slots)
    expect(table.slotCount).toBe(8192)
    early.forEach((entry, i) => expect(find(`early-${i}`)).toBe(entry))
    expect(find('added-meanwhile')).toBe(meanwhile)
    expect(table.freshSlotsFor(5_000)).toBeNull()

    // Slots readied for less than the table has grown to meanwhile are dropped, not adopted.
    const small = table.freshSlotsFor(10_000) as Int32Array<ArrayBuffer>
    expect(small.length).toBe(16_384)
    const later = Array.from({ length: 13_000 }, (_, i) => add(`later-${i}`))
    expect(table.slotCount).toBe(32_768)
    table.adoptSlots(small)
    expect(table.slotCount).toBe(32_768)
    later.forEach((entry, i) => expect(find(`later-${i}`)).toBe(entry))
    expect(find('added-meanwhile')).toBe(meanwhile)
  })

  it('tells apart keys with the same hash by their bytes', () => {
    // Two keys whose FNV-1a hashes are equal, found once by trying 1.66 million keys of the form
    // c<base 36>: too slow to search for on every run. The next line proves they still collide.
    const pair = ['c2ya8', 'czki6']
    const [a, b] = pair.map((key) => encoder.encode(key)) as [Uint8Array, Uint8Array]
    const hash = hashBytes(a, 0, a.length)
    expect(hashBytes(b, 0, b.length)).toBe(hash)
    const table = new ByteKeyedTable()
    const first = table.insert(a, 0, a.length, hash)
    expect(table.find(b, 0, b.length, hash)).toBe(-1)
    const second = table.insert(b, 0, b.length, hash)
    expect(table.find(a, 0, a.length, hash)).toBe(first)
    expect(table.find(b, 0, b.length, hash)).toBe(second)
    table.remove(first)
    expect(table.find(a, 0, a.length, hash)).toBe(-1)
    expect(table.find(b, 0, b.length, hash)).toBe(second)
  }, 60_000)

  it('refuses a record without room for its own fields, or a ragged inline part', () => {
    expect(() => new ByteKeyedTable(BASE_FIELDS - 1)).toThrow(RangeError)
    expect(() => new ByteKeyedTable(BASE_FIELDS, 6)).toThrow(RangeError)
  })
})
