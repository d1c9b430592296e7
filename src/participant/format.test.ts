import { describe, expect, it } from 'vitest'
import { formatCount } from './format.ts'

describe('formatCount', () => {
  it('writes exact counts in full', () => {
    expect(formatCount(1234, { locale: 'en-US' })).toBe('1,234')
    expect(formatCount(0, { locale: 'en-US' })).toBe('0')
    expect(formatCount(1_000_003, { locale: 'en-US' })).toBe('1,000,003')
    expect(formatCount(1234, { locale: 'de-DE' })).toBe('1.234')
  })

  it('marks rounded counts and shows them no finer than their precision', () => {
    expect(formatCount(1_200_000, { approx: true, precision: 2, locale: 'en-US' })).toBe('≈1.2M')
    expect(formatCount(1_230_000, { approx: true, precision: 3, locale: 'en-US' })).toBe('≈1.23M')
    expect(formatCount(1_234_567, { approx: true, precision: 2, locale: 'en-US' })).toBe('≈1.2M')
    expect(formatCount(45_000, { approx: true, precision: 2, locale: 'en-US' })).toBe('≈45K')
    expect(formatCount(900, { approx: true, precision: 1, locale: 'en-US' })).toBe('≈900')
    // Without a stated precision, two figures.
    expect(formatCount(3_456_789, { approx: true, locale: 'en-US' })).toBe('≈3.5M')
  })

  it('takes a participant state as the format', () => {
    const state = { count: 2_000_000, approx: true, precision: 1 }
    expect(formatCount(state.count, { ...state, locale: 'en-US' })).toBe('≈2M')
    expect(formatCount(12, { approx: false, precision: null, locale: 'en-US' })).toBe('12')
  })

  it('shows an unknown count as a dash, never 0', () => {
    expect(formatCount(null)).toBe('—')
    expect(formatCount(undefined)).toBe('—')
    expect(formatCount(Number.NaN)).toBe('—')
  })
})
