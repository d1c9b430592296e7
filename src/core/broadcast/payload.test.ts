import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import type { FriendRosterPayload, RoomSummaryPayload } from '../../shared/broadcast.ts'
import { MAX_PARTS, rosterData, summaryData, wholeSummaryText } from './payload.ts'

const bytes = (text: string) => Buffer.byteLength(text, 'utf8')

function manyGroups(count: number): Record<string, number> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`group-${String(i).padStart(5, '0')}`, (i % 50) + 1]),
  )
}

describe('wholeSummaryText', () => {
  it('writes exactly what JSON.stringify writes for the same payload object', () => {
    const rooms = ['lobby', 'café "quoted" \\ back\nslash', '\u2028 line \ud83d\ude00 emoji', '', '\u0000\u001f']
    const counts = [0, 3, 1_234_567, 2 ** 53 + 2, 0.5, -0, Number.NaN, Number.POSITIVE_INFINITY]
    const groupSets: Array<Record<string, number>> = [
      {},
      { red: 2, blue: 1 },
      { 'g "x"': 5, '\ud800': 1, '10': 2, '2': 3 },
    ]
    for (const room of rooms)
      for (const count of counts)
        for (const groups of groupSets)
          for (const figures of [null, 1, 3])
            for (const ts of [1_700_000_000_123, 1e21]) {
              const payload: RoomSummaryPayload = { room, count, groups, ts }
              if (figures !== null) Object.assign(payload, { approx: true, precision: figures })
              expect(wholeSummaryText({ room, count, groups }, ts, figures)).toBe(JSON.stringify(payload))
            }
  })
})

describe('summaryData', () => {
  it('sends a small summary whole, exactly {room, count, groups, ts}', () => {
    const built = summaryData({ room: 'lobby', count: 3, groups: { red: 2, blue: 1 } }, 1700000000000, 10_000)
    expect(built).toEqual({
      data: ['{"room":"lobby","count":3,"groups":{"red":2,"blue":1},"ts":1700000000000}'],
      split: false,
      truncated: false,
    })
  })

  it('splits groups over parts that each fit the budget and together hold every group', () => {
    const groups = manyGroups(1500)
    const built = summaryData({ room: 'hall', count: 40_000, groups }, 1, 10_000)
    expect(built.split).toBe(true)
    expect(built.truncated).toBe(false)
    const parts = built.data.map((data) => JSON.parse(data) as RoomSummaryPayload)
    expect(parts.length).toBeGreaterThan(1)
    for (const data of built.data) expect(bytes(data)).toBeLessThanOrEqual(10_000)
    parts.forEach((part, index) =>
      expect(part).toMatchObject({ room: 'hall', count: 40_000, ts: 1, part: index + 1, parts: parts.length }),
    )
    expect(Object.assign({}, ...parts.map((part) => part.groups))).toEqual(groups)
  })

  it('on a cache channel (one part at most) keeps the largest groups in one event and says how many were left out', () => {
    const groups = manyGroups(1500)
    const built = summaryData({ room: 'hall', count: 40_000, groups }, 1, 10_000, { maxParts: 1 })
    expect(built.data).toHaveLength(1)
    expect(built.truncated).toBe(true)
    const only = JSON.parse(built.data[0] as string) as RoomSummaryPayload
    expect(bytes(built.data[0] as string)).toBeLessThanOrEqual(10_000)
    expect(only).toMatchObject({ room: 'hall', count: 40_000, truncated: true })
    const kept = Object.values(only.groups)
    expect(kept.length + (only.omittedGroups ?? 0)).toBe(1500)
    // The smallest groups are the ones left out.
    const omitted = Object.entries(groups).filter(([name]) => !(name in only.groups))
    expect(omitted.length).toBeGreaterThan(0)
    expect(Math.max(...omitted.map(([, n]) => n))).toBeLessThanOrEqual(Math.min(...kept))
  })

  it('marks rounded counts with approx and precision, in every part', () => {
    const built = summaryData({ room: 'hall', count: 1_200_000, groups: { red: 700_000 } }, 5, 10_000, { figures: 2 })
    expect(JSON.parse(built.data[0] as string)).toEqual({
      room: 'hall',
      count: 1_200_000,
      groups: { red: 700_000 },
      ts: 5,
      approx: true,
      precision: 2,
    })
  })

  it('truncates beyond the part limit, keeping the largest groups and saying how many were left out', () => {
    const groups = manyGroups(800)
    const built = summaryData({ room: 'hall', count: 1, groups }, 1, 1000)
    expect(built.data).toHaveLength(MAX_PARTS)
    expect(built.truncated).toBe(true)
    const parts = built.data.map((data) => JSON.parse(data) as RoomSummaryPayload)
    const kept = Object.assign({}, ...parts.map((part) => part.groups)) as Record<string, number>
    for (const data of built.data) expect(bytes(data)).toBeLessThanOrEqual(1000)
    expect(parts[0]).toMatchObject({ truncated: true, omittedGroups: 800 - Object.keys(kept).length })
    const smallestKept = Math.min(...Object.values(kept))
    const largestDropped = Math.max(
      ...Object.entries(groups)
        .filter(([name]) => !(name in kept))
        .map(([, count]) => count),
    )
    expect(smallestKept).toBeGreaterThanOrEqual(largestDropped)
  })
})

describe('rosterData', () => {
  it('sends a short roster as one page', () => {
    expect(rosterData('lobby', 'ana', ['ben', 'cy'], 5, 10_000).data).toEqual([
      '{"room":"lobby","user":"ana","friends":["ben","cy"],"ts":5,"page":1,"pages":1}',
    ])
  })

  it('sends an empty roster (the last friend left) as one empty page', () => {
    expect(JSON.parse(rosterData('lobby', 'ana', [], 5, 10_000).data[0] as string)).toMatchObject({
      friends: [],
      page: 1,
      pages: 1,
    })
  })

  it('pages a long roster to fit the budget, in order', () => {
    const friends = Array.from({ length: 2000 }, (_, i) => `friend-${i}`)
    const built = rosterData('lobby', 'ana', friends, 5, 10_000)
    const pages = built.data.map((data) => JSON.parse(data) as FriendRosterPayload)
    expect(pages.length).toBeGreaterThan(1)
    for (const data of built.data) expect(bytes(data)).toBeLessThanOrEqual(10_000)
    expect(pages.flatMap((page) => page.friends)).toEqual(friends)
    expect(pages.map((page) => `${page.page}/${page.pages}`)).toEqual(pages.map((_, i) => `${i + 1}/${pages.length}`))
  })
})
