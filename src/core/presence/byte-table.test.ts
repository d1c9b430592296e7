import { describe, expect, it } from 'vitest'
import { ByteKeyedTable, hashBytes } from './byte-table.ts'

const encoder = new TextEncoder()

describe('ByteKeyedTable', () => {
  it('agrees with a Map through many inserts and removals (backward-shift deletion, id reuse, compaction)', () => {
    const table = new ByteKeyedTable()
    const reference = new Map<string, number>()
    let seed = 1
    const next = (): number => (seed = (Math.imul(seed, 48271) + 11) >>> 0) % 5000
    for (let step = 0; step < 200_000; step++) {
      const key = `k${next()}`
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
    for (const [key, entry] of reference) expect(table.keyString(entry)).toBe(key)
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
})
