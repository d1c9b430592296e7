import { describe, expect, it } from 'vitest'
import { formatAgo, formatCompact, formatCount, formatDuration, formatLatency, formatRate } from './format.ts'

describe('format', () => {
  it('counts with separators, and a dash for nothing', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(null)).toBe('—')
    expect(formatCompact(950)).toBe('950')
    expect(formatCompact(12_345)).toBe('12.3k')
    expect(formatCompact(2_500_000)).toBe('2.5M')
    expect(formatRate(null)).toBe('—')
    expect(formatRate(2.5)).toBe('2.5')
    expect(formatRate(1200)).toBe('1,200')
  })

  it('says how long ago, and for how long, in short words', () => {
    expect(formatAgo(10_000, 10_500)).toBe('just now')
    expect(formatAgo(0, 12_000)).toBe('12 s ago')
    expect(formatAgo(0, 3 * 60_000)).toBe('3 min ago')
    expect(formatAgo(0, 5 * 3_600_000)).toBe('5 h ago')
    expect(formatAgo(0, 4 * 86_400_000)).toBe('4 d ago')
    expect(formatDuration(45_000)).toBe('45 s')
    expect(formatDuration(12 * 60_000)).toBe('12 min')
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 05 min')
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h')
    expect(formatLatency(4.26)).toBe('4.3 ms')
    expect(formatLatency(null)).toBe('—')
  })
})
