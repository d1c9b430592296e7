import { describe, expect, it } from 'vitest'
import { rollUp } from './rollup.ts'
import { constantStep, sampleSteps } from './steps.ts'

describe('rollUp', () => {
  it('writes a row only for minutes with a change, with min, max, time-weighted mean and last', () => {
    const steps = sampleSteps(
      { t: -5_000, count: 4, groups: '{"x":4}' },
      [
        { t: 30_000, count: 10, groups: '{"x":10}' },
        { t: 150_000, count: 4 },
      ],
      0,
    )
    expect(rollUp(steps, 0, 240_000)).toEqual([
      { minute: 0, min: 4, max: 10, avg: 7, last: 10, groups: '{"x":10}' },
      { minute: 120_000, min: 4, max: 10, avg: 7, last: 4, groups: undefined },
    ])
  })

  it('treats repeated values (every tick of the total) as no change', () => {
    const steps = [constantStep(0, 5), constantStep(5_000, 5), constantStep(65_000, 5), constantStep(70_000, 6)]
    expect(rollUp(steps, 0, 120_000)).toEqual([
      { minute: 0, min: 5, max: 5, avg: 5, last: 5, groups: undefined },
      { minute: 60_000, min: 5, max: 6, avg: (5 * 10 + 6 * 50) / 60, last: 6, groups: undefined },
    ])
  })
})
