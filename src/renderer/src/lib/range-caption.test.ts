import { describe, expect, it } from 'vitest'
import { rangeCaption } from './range-caption.ts'
import { timeFormat } from './time-format.ts'

const utc = timeFormat('utc')

const at = (hours: number, minutes: number, seconds = 0, day = 4) => Date.UTC(2026, 2, day, hours, minutes, seconds)

describe('range caption', () => {
  it('says a preset is live', () => {
    expect(rangeCaption({ kind: 'preset', preset: '1h' }, utc)).toBe('Last 1 h, live')
  })

  it('gives a short window to the second, where minutes alone would read "07:44 → 07:44"', () => {
    expect(rangeCaption({ kind: 'fixed', from: at(7, 44, 10), to: at(7, 44, 50) }, utc)).toBe(
      '2026-03-04 07:44:10 → 07:44:50, 40 s',
    )
  })

  it('gives a long window (in the zone given) to the minute, and the date again when it changes', () => {
    expect(rangeCaption({ kind: 'fixed', from: at(6, 0), to: at(14, 30) }, utc)).toBe(
      '2026-03-04 06:00 → 14:30, 8 h 30 min',
    )
    expect(rangeCaption({ kind: 'fixed', from: at(22, 0, 0, 3), to: at(23, 0, 0, 4) }, utc)).toBe(
      '2026-03-03 22:00 → 2026-03-04 23:00, 25 h 00 min',
    )
    expect(rangeCaption({ kind: 'fixed', from: at(23, 59, 30, 3), to: at(0, 0, 30, 4) }, utc)).toBe(
      '2026-03-03 23:59:30 → 2026-03-04 00:00:30, 1 min',
    )
  })
})
