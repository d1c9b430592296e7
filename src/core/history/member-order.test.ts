import { describe, expect, it } from 'vitest'
import { compareMembers, inIndexOrder } from './member-order.ts'
import type { Member } from '../presence/types.ts'

describe('inIndexOrder', () => {
  it('sorts by room, user and group, in slices merged back together', async () => {
    const members: Member[] = Array.from({ length: 25_003 }, (_, i) => ({
      room: `r${(i * 7) % 13}`,
      user: `u${(i * 7_919) % 25_003}`,
      group: i % 3 ? 'g' : null,
    }))
    const sorted = [...(await inIndexOrder(members))]
    expect(sorted).toHaveLength(members.length)
    for (let i = 1; i < sorted.length; i += 1)
      expect(compareMembers(sorted[i - 1] as Member, sorted[i] as Member)).toBeLessThanOrEqual(0)
    expect(new Set(sorted)).toEqual(new Set(members))
  })

  it('leaves the caller’s array alone', async () => {
    const members: Member[] = [
      { room: 'b', user: 'x', group: null },
      { room: 'a', user: 'y', group: 'g' },
    ]
    expect([...(await inIndexOrder(members))].map((member) => member.room)).toEqual(['a', 'b'])
    expect(members.map((member) => member.room)).toEqual(['b', 'a'])
  })
})
