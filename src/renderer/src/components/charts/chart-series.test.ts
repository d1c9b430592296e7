import { describe, expect, it } from 'vitest'
import { extendTo, lonePoints, roomLineStyle, shareOf, stepRows } from './chart-series.ts'

describe('chart series', () => {
  it('ends every line at the same instant, holding its last value', () => {
    const early = [
      { t: 0, value: 3 },
      { t: 10, value: 5 },
    ]
    expect(extendTo(early, 40)).toEqual([...early, { t: 40, value: 5 }])
    // Already there, or ended by a gap: unchanged (the same array).
    expect(extendTo(early, 10)).toBe(early)
    const gap = [
      { t: 0, value: 3 },
      { t: 10, value: null },
    ]
    expect(extendTo(gap, 40)).toBe(gap)
    expect(extendTo([], 40)).toEqual([])
  })

  it('reads a room as a share of everyone at every change of either', () => {
    const room = [
      { t: 0, value: 10 },
      { t: 20, value: 30 },
    ]
    const total = [
      { t: 0, value: 100 },
      { t: 10, value: 50 },
      { t: 30, value: 0 },
      { t: 40, value: null },
    ]
    expect(shareOf(room, total)).toEqual([
      { t: 0, value: 0.1 },
      { t: 10, value: 0.2 },
      { t: 20, value: 0.6 },
      // Nobody present, then nothing known: no share either way.
      { t: 30, value: null },
    ])
  })

  it('has no share before a room’s series starts', () => {
    expect(
      shareOf(
        [{ t: 10, value: 5 }],
        [
          { t: 0, value: 20 },
          { t: 10, value: 20 },
        ],
      ),
    ).toEqual([
      { t: 0, value: null },
      { t: 10, value: 0.25 },
    ])
  })

  it('tells twenty rooms apart: eight colours, then the same colours dashed, then dotted', () => {
    const styles = Array.from({ length: 20 }, (_, index) => roomLineStyle('light', index))
    const distinct = new Set(styles.map((style) => `${style.color}|${style.dash?.join(',') ?? ''}`))
    expect(distinct.size).toBe(20)
    expect(styles[0]?.dash).toBeUndefined()
    expect(styles[8]?.dash).toEqual([6, 3])
    expect(styles[16]?.dash).toEqual([2, 2])
  })

  it('finds the values no line would show: alone, or between gaps', () => {
    expect(lonePoints([{ t: 0, value: 72 }])).toEqual([{ t: 0, value: 72 }])
    expect(
      lonePoints([
        { t: 0, value: 1 },
        { t: 5, value: 2 },
        { t: 10, value: null },
        { t: 15, value: 3 },
        { t: 20, value: null },
      ]),
    ).toEqual([{ t: 15, value: 3 }])
    expect(lonePoints([{ t: 0, value: null }])).toEqual([])
    expect(lonePoints([])).toEqual([])
  })

  it('holds a stacked value until the gap after it and, in a fixed window, until its end', () => {
    // One reading before a restart (nothing changed), the restart's gap, then the same reading again.
    const rows = [
      { t: 0, red: 9, blue: 12 },
      { t: 80, red: null, blue: null },
      { t: 130, red: 9, blue: 12 },
    ]
    expect(stepRows(rows, null)).toEqual([
      { t: 0, red: 9, blue: 12 },
      { t: 80, red: 9, blue: 12 },
      { t: 80, red: null, blue: null },
      { t: 130, red: 9, blue: 12 },
    ])
    expect(stepRows(rows, 200).at(-1)).toEqual({ t: 200, red: 9, blue: 12 })
    // A window ending in a gap stays ended; one already at its end gains nothing.
    expect(stepRows(rows.slice(0, 2), 200)).toHaveLength(3)
    expect(stepRows(rows, 130)).toHaveLength(4)
    // Consecutive changes need no extra rows: recharts steps between them.
    const changes = [
      { t: 0, red: 1 },
      { t: 10, red: 2 },
    ]
    expect(stepRows(changes, null)).toEqual(changes)
    expect(stepRows([], 50)).toEqual([])
  })
})
