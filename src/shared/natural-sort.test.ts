import { describe, expect, it } from 'vitest'
import { naturalCompare } from './natural-sort.ts'

const sorted = (names: string[]) => [...names].sort(naturalCompare)

describe('natural sort', () => {
  it('puts room2 before room10, as people count', () => {
    expect(sorted(['room10', 'room1', 'room11', 'room2', 'room100', 'room20'])).toEqual([
      'room1',
      'room2',
      'room10',
      'room11',
      'room20',
      'room100',
    ])
  })

  it('compares every run of digits by value, not only the last', () => {
    expect(sorted(['hall-10-b2', 'hall-9-b10', 'hall-10-b10', 'hall-9-b2'])).toEqual([
      'hall-9-b2',
      'hall-9-b10',
      'hall-10-b2',
      'hall-10-b10',
    ])
  })

  it('ignores case between letters, and shorter prefixes come first', () => {
    expect(sorted(['Stage', 'lobby', 'stage-2', 'Lobby', 'cafe'])).toEqual([
      'cafe',
      'Lobby',
      'lobby',
      'Stage',
      'stage-2',
    ])
  })

  it('reads numbers of any length without overflowing', () => {
    const big = '123456789012345678901234567890'
    expect(naturalCompare(`r${big}`, `r${big}1`)).toBeLessThan(0)
    expect(naturalCompare(`r${big}9`, `r${big}10`)).toBeLessThan(0)
    expect(naturalCompare(`r9${big}`, `r10${big}`)).toBeLessThan(0)
  })

  it('orders leading zeros by value, and breaks ties by the exact characters so the order is total', () => {
    expect(naturalCompare('room007', 'room8')).toBeLessThan(0)
    expect(naturalCompare('room02', 'room2')).not.toBe(0)
    expect(Math.sign(naturalCompare('room02', 'room2'))).toBe(-Math.sign(naturalCompare('room2', 'room02')))
    expect(naturalCompare('same', 'same')).toBe(0)
    expect(naturalCompare('', 'a')).toBeLessThan(0)
  })

  it('is consistent: antisymmetric and transitive over a shuffled mix', () => {
    const names = ['a1', 'a01', 'A1', 'a10', 'a2b', 'a2', 'a2B', 'b', 'B0', '10', '9', '', 'z-0009', 'z-9']
    const once = sorted(names)
    expect(sorted([...names].reverse())).toEqual(once)
    for (let i = 0; i < once.length; i++)
      for (let j = i + 1; j < once.length; j++)
        expect(naturalCompare(once[i] as string, once[j] as string)).toBeLessThanOrEqual(0)
  })
})
