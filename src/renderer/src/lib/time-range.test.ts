import { describe, expect, it } from 'vitest'
import { isLive, needsRefetch, resolveRange, selectionRange, zoomRange } from './time-range.ts'

describe('time ranges', () => {
  const now = 100_000_000

  it('resolve presets against now and keep fixed windows', () => {
    expect(resolveRange({ kind: 'preset', preset: '5m' }, now)).toEqual({ from: now - 300_000, to: now })
    expect(resolveRange({ kind: 'fixed', from: 1, to: 2 }, now)).toEqual({ from: 1, to: 2 })
    expect(isLive({ kind: 'preset', preset: '7d' })).toBe(true)
    // A fixed window is never live, even one ending now: zooming into a live chart says so.
    expect(isLive({ kind: 'fixed', from: 1, to: 2 })).toBe(false)
    expect(isLive({ kind: 'fixed', from: 1, to: now })).toBe(false)
  })

  it('fetch a live chart again once its tail has used most of its lead, at most once a second', () => {
    const week = { kind: 'preset', preset: '7d' } as const
    expect(needsRefetch(week, 600, null, now)).toBe(true)
    expect(needsRefetch(week, 600, now - 60_000, now)).toBe(false)
    expect(needsRefetch(week, 600, now - 1_008_000, now)).toBe(false)
    expect(needsRefetch(week, 600, now - 9_072_000, now)).toBe(true)
    const fiveMinutes = { kind: 'preset', preset: '5m' } as const
    expect(needsRefetch(fiveMinutes, 600, now - 500, now)).toBe(false)
    // Refetched once the live tail has used three quarters of its 2 % lead: 4.5 s of a 5-minute chart.
    expect(needsRefetch(fiveMinutes, 600, now - 4_000, now)).toBe(false)
    expect(needsRefetch(fiveMinutes, 600, now - 4_500, now)).toBe(true)
    expect(needsRefetch({ kind: 'fixed', from: 0, to: 10_000 }, 600, 1, now)).toBe(false)
  })

  it('zoom around the centre without passing now, and not below ten seconds', () => {
    expect(zoomRange(0, 100_000, 0.5, now)).toEqual({ from: 25_000, to: 75_000 })
    expect(zoomRange(now - 100_000, now, 2, now)).toEqual({ from: now - 200_000, to: now })
    expect(zoomRange(0, 12_000, 0.1, now)).toEqual({ from: 1_000, to: 11_000 })
  })

  it('turn a drag into a window, in either direction', () => {
    expect(selectionRange(50_000, 10_000)).toEqual({ from: 10_000, to: 50_000 })
    expect(selectionRange(10_000, 12_000)).toBeNull()
  })
})
