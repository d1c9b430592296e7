import { describe, expect, it } from 'vitest'
import { FriendsImportInputSchema, MAX_FRIENDS_CSV_CHARS } from './broadcast.ts'
import { MAX_FRAME_BYTES } from './wire.ts'

const encoder = new TextEncoder()

describe('the frame limit', () => {
  it('carries the largest friend import the contract accepts, whatever characters it holds', () => {
    // A control character escapes to 6 bytes, a lone surrogate too; CJK takes 3 bytes of UTF-8.
    for (const worst of ['\u0001', '\ud800', '\u4e00', '"', '\\', 'a']) {
      const input = { id: 'p'.repeat(64), csv: worst.repeat(MAX_FRIENDS_CSV_CHARS), mutual: false }
      expect(FriendsImportInputSchema.safeParse(input).success).toBe(true)
      const frame = JSON.stringify({ id: Number.MAX_SAFE_INTEGER, method: 'friends.import', input })
      expect(encoder.encode(frame).byteLength, JSON.stringify(worst)).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    }
  })

  it('is the only cap: one character more is refused by the contract, in words', () => {
    const result = FriendsImportInputSchema.safeParse({
      id: 'p',
      csv: 'a'.repeat(MAX_FRIENDS_CSV_CHARS + 1),
      mutual: true,
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toBe(
      'The file has 921,601 characters; at most 921,600 (900 KB) can be imported',
    )
  })
})
