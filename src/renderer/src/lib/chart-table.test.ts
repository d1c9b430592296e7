import { describe, expect, it } from 'vitest'
import { chartFileName, chartTableCsv, tableOfLines, tableOfStacked } from './chart-table.ts'

const T0 = Date.parse('2026-03-04T14:00:00Z')

describe('the data behind a chart', () => {
  it('lines: a row per time any series has, blank where a series has no point or a gap', () => {
    const table = tableOfLines(
      [
        {
          key: '*total*',
          label: 'All rooms',
          color: '#000',
          points: [
            { t: T0, value: 10 },
            { t: T0 + 1000, value: 12 },
          ],
        },
        {
          key: 'lobby',
          label: 'lobby',
          color: '#f00',
          points: [
            { t: T0 + 1000, value: null },
            { t: T0 + 2000, value: 4 },
          ],
        },
      ],
      { at: T0 + 5000, values: { '*total*': 13, lobby: 5 } },
    )
    expect(table.rows).toEqual([
      { t: T0, values: [10, null] },
      { t: T0 + 1000, values: [12, null] },
      { t: T0 + 2000, values: [null, 4] },
      { t: T0 + 5000, values: [13, 5] },
    ])
    expect(chartTableCsv(table)).toBe(
      'time,All rooms,lobby\r\n' +
        '2026-03-04T14:00:00.000Z,10,\r\n' +
        '2026-03-04T14:00:01.000Z,12,\r\n' +
        '2026-03-04T14:00:02.000Z,,4\r\n' +
        '2026-03-04T14:00:05.000Z,13,5\r\n',
    )
  })

  it('stacked groups: a column per group; the live tail only when after the last point', () => {
    const stacked = {
      keys: [
        { key: 'red', label: 'red', color: '#f00' },
        { key: 'blue', label: 'blue', color: '#00f' },
      ],
      rows: [
        { t: T0, red: 3, blue: 1 },
        { t: T0 + 1000, red: null, blue: null },
      ],
    }
    expect(tableOfStacked(stacked, { at: T0 + 1000, values: { red: 9, blue: 9 } }).rows).toEqual([
      { t: T0, values: [3, 1] },
      { t: T0 + 1000, values: [null, null] },
    ])
    expect(chartTableCsv(tableOfStacked(stacked))).toBe(
      'time,red,blue\r\n2026-03-04T14:00:00.000Z,3,1\r\n2026-03-04T14:00:01.000Z,,\r\n',
    )
  })

  it('keeps a room named like a formula a text cell', () => {
    const table = tableOfLines([{ key: '=cmd', label: '=cmd', color: '#000', points: [{ t: T0, value: 1 }] }])
    expect(chartTableCsv(table).split('\r\n')[0]).toBe(`time,"'=cmd"`)
  })

  it('names files by subject and UTC time, with only safe characters', () => {
    expect(chartFileName('overview', T0 + 7000, 'png')).toBe('headcount-overview-2026-03-04T14-00-07Z.png')
    expect(chartFileName('room ../é lobby', T0, 'csv')).toBe('headcount-room_.._lobby-2026-03-04T14-00-00Z.csv')
  })
})
