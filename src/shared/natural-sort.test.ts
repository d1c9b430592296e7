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

  it('answers as a reading from the first character does, though it skips what both names start with', () => {
    let seed = 11
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    const alphabet = ['a', 'A', 'b', '-', '0', '0', '1', '2', '9']
    const name = (base: string) => {
      let text = base
      for (let n = Math.floor(random() * 5); n > 0; n--) text += alphabet[Math.floor(random() * alphabet.length)]
      return text
    }
    for (let round = 0; round < 5_000; round++) {
      const shared = name(random() < 0.5 ? 'room-' : '')
      const a = name(shared)
      const b = name(random() < 0.2 ? a : shared)
      expect([a, b, Math.sign(naturalCompare(a, b))]).toEqual([a, b, Math.sign(fromTheStart(a, b))])
    }
  })
})

/** The comparison read from the first character, without skipping a shared start: the oracle. */
function fromTheStart(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(j)
    if (isDigitCode(ca) && isDigitCode(cb)) {
      // Skip leading zeros, then the longer run is the larger number; equal lengths compare digit by digit.
      let startA = i
      let startB = j
      while (startA < a.length && a.charCodeAt(startA) === ZERO_CODE) startA++
      while (startB < b.length && b.charCodeAt(startB) === ZERO_CODE) startB++
      let endA = startA
      let endB = startB
      while (endA < a.length && isDigitCode(a.charCodeAt(endA))) endA++
      while (endB < b.length && isDigitCode(b.charCodeAt(endB))) endB++
      const lengthA = endA - startA
      const lengthB = endB - startB
      if (lengthA !== lengthB) return lengthA - lengthB
      for (let k = 0; k < lengthA; k++) {
        const difference = a.charCodeAt(startA + k) - b.charCodeAt(startB + k)
        if (difference !== 0) return difference
      }
      i = endA
      j = endB
      continue
    }
    const difference = foldCaseCode(ca) - foldCaseCode(cb)
    if (difference !== 0) return difference
    i++
    j++
  }
  const rest = a.length - i - (b.length - j)
  if (rest !== 0) return rest
  return a < b ? -1 : a > b ? 1 : 0
}

const ZERO_CODE = 48
const isDigitCode = (code: number) => code >= ZERO_CODE && code <= 57
const foldCaseCode = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code)
