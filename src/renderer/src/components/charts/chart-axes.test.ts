import { describe, expect, it } from 'vitest'
import { timeFormatForZone } from '../../lib/time-format.ts'
import { chartAxes } from './chart-axes.ts'
import { yScaleFor } from './y-scale.ts'

const plot = { left: 52, top: 8, width: 880, height: 228 }
const utc = timeFormatForZone('UTC')

describe('line chart axes', () => {
  it('label the value axis at round numbers, 0 on the plot floor and the top on its ceiling', () => {
    const from = Date.parse('2026-03-04T10:00:00Z')
    const axes = chartAxes(from, from + 3_600_000, plot, yScaleFor('linear', 4_300), utc)
    expect(axes.values.map((tick) => tick.text)).toEqual(['0', '1,000', '2,000', '3,000', '4,000', '5,000'])
    expect(axes.values[0]?.at).toBe(plot.top + plot.height)
    expect(axes.values.at(-1)?.at).toBe(plot.top)
    expect(axes.values[1]?.at).toBeCloseTo(plot.top + plot.height * 0.8)
  })

  it('space the log scale by its transform: each power of ten about an equal step', () => {
    const axes = chartAxes(0, 3_600_000, plot, yScaleFor('log', 9_000), utc)
    const texts = axes.values.map((tick) => tick.text)
    expect(texts[0]).toBe('0')
    expect(texts).toContain('10')
    expect(texts).toContain('1,000')
    const at = (text: string) => axes.values.find((tick) => tick.text === text)?.at ?? NaN
    // Drawn at log10(1 + value), so the decades are nearly (not exactly) equal near 0.
    expect(Math.abs(at('10') - at('100') - (at('100') - at('1,000')))).toBeLessThan(3)
    expect(at('1,000')).toBeLessThan(at('100'))
  })

  it('put the time ticks at round times of the zone shown, where they fall on the plot', () => {
    const from = Date.parse('2026-03-04T10:07:30Z')
    const to = from + 3_600_000
    const axes = chartAxes(from, to, plot, yScaleFor('linear', 10), utc)
    expect(axes.times.map((tick) => tick.text)).toEqual(['10:10', '10:20', '10:30', '10:40', '10:50', '11:00'])
    const xOf = (t: number) => plot.left + ((t - from) / (to - from)) * plot.width
    expect(axes.times[0]?.at).toBeCloseTo(xOf(Date.parse('2026-03-04T10:10:00Z')))
    expect(axes.times.at(-1)?.at).toBeCloseTo(xOf(Date.parse('2026-03-04T11:00:00Z')))
    for (const tick of axes.times) {
      expect(tick.at).toBeGreaterThanOrEqual(plot.left)
      expect(tick.at).toBeLessThanOrEqual(plot.left + plot.width)
    }
    // India's clocks are 5 h 30 ahead: the same window's ticks read on its own ten minutes.
    const kolkata = chartAxes(from, to, plot, yScaleFor('linear', 10), timeFormatForZone('Asia/Kolkata'))
    expect(kolkata.times.map((tick) => tick.text)).toEqual(['15:40', '15:50', '16:00', '16:10', '16:20', '16:30'])
  })

  it('never crowd the time labels: fewer ticks on a narrow plot', () => {
    const narrow = chartAxes(0, 86_400_000, { ...plot, width: 300 }, yScaleFor('linear', 10), utc)
    const wide = chartAxes(0, 86_400_000, plot, yScaleFor('linear', 10), utc)
    expect(narrow.times.map((tick) => tick.text)).toEqual(['00:00', '12:00', '00:00'])
    expect(wide.times.length).toBeGreaterThan(narrow.times.length)
    for (let i = 1; i < wide.times.length; i++)
      expect((wide.times[i]?.at ?? 0) - (wide.times[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100)
  })
})
