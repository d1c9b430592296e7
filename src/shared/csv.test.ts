import { describe, expect, it } from 'vitest'
import { csvCell, csvRecord, isoTime } from './csv.ts'

describe('CSV (RFC 4180)', () => {
  it('quotes fields holding commas, quotes, CR or LF, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"')
    expect(csvCell('')).toBe('')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
  })

  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`)
    expect(csvCell('+1')).toBe(`"'+1"`)
    expect(csvCell('-2+3')).toBe(`"'-2+3"`)
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`)
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`)
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`)
    expect(csvCell('a=b')).toBe('a=b')
  })

  it('neutralises a leading semicolon too (a separator in some locales, listed by the issue)', () => {
    expect(csvCell(';=1+1')).toBe(`"';=1+1"`)
    expect(csvCell(';')).toBe(`"';"`)
    expect(csvCell('a;b')).toBe('a;b')
  })

  it('treats numbers as data and any text that looks like one as text', () => {
    // A numeric cell is never a formula, so a negative number stays a number a spreadsheet can sum.
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(-0.5)).toBe('-0.5')
    // The same characters in a text cell (a room named "-3") could be `-3+cmd|…`: always neutralised.
    expect(csvCell('-3')).toBe(`"'-3"`)
    expect(csvCell('+1')).toBe(`"'+1"`)
  })

  it('writes numbers as numbers', () => {
    expect(csvCell(42)).toBe('42')
    expect(csvCell(1.5)).toBe('1.5')
    expect(csvCell(Number.NaN)).toBe('')
  })

  it('ends records with CRLF', () => {
    expect(csvRecord(['a', 1, null, 'x,y'])).toBe('a,1,,"x,y"\r\n')
  })

  it('writes times as ISO 8601 UTC with milliseconds', () => {
    expect(isoTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02T03:04:05.000Z')
  })

  it('writes every time exactly as Date#toISOString does, across days, years and odd values', () => {
    const day = 86_400_000
    const times = [
      0,
      -1,
      1,
      day - 1,
      day,
      Date.UTC(2026, 0, 1) - 1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(-1, 0, 1),
      Date.UTC(10_000, 0, 1),
      8.64e15,
      -8.64e15,
      1_700_000_000_000.5,
      -0.5,
    ]
    // A walk within one day and across its end, in both directions, as exports and charts go.
    for (let t = Date.UTC(2026, 2, 3, 23, 0, 0); t < Date.UTC(2026, 2, 4, 1, 0, 0); t += 7_777) times.push(t)
    for (let t = Date.UTC(2026, 2, 4, 1, 0, 0); t > Date.UTC(2026, 2, 3, 23, 0, 0); t -= 60_001) times.push(t)
    for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString())
    expect(() => isoTime(Number.NaN)).toThrow(RangeError)
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError)
  })
})
