import { describe, expect, it } from 'vitest'
import { constantStep, mergeGaps, rollupSteps, sampleSteps, withGaps, withoutRepeats, type Step } from './steps.ts'

const values = (steps: Iterable<Step>) =>
  [...steps].map((step) => [step.t, step.kind === 'value' ? step.value : step.kind])

describe('steps', () => {
  it('start from the value in effect at the range start', () => {
    expect(values(sampleSteps({ t: 5, count: 3 }, [{ t: 20, count: 4 }], 10))).toEqual([
      [10, 3],
      [20, 4],
    ])
    expect(values(sampleSteps(undefined, [{ t: 20, count: 4 }], 10))).toEqual([[20, 4]])
  })

  it('merge overlapping and touching gaps, clipped to the range', () => {
    expect(
      mergeGaps(
        [
          { from: 50, to: 70, reason: 'b' },
          { from: 0, to: 20, reason: 'a' },
          { from: 20, to: 30, reason: 'c' },
          { from: 90, to: 200, reason: 'd' },
        ],
        10,
        100,
      ),
    ).toEqual([
      { from: 10, to: 30, reason: 'a' },
      { from: 50, to: 70, reason: 'b' },
      { from: 90, to: 100, reason: 'd' },
    ])
  })

  it('hide values inside gaps and resume with the value in effect when a gap ends', () => {
    const base = [constantStep(0, 1), constantStep(10, 2), constantStep(25, 3), constantStep(40, 4)]
    const gaps = [
      { from: 5, to: 30, reason: 'down' },
      { from: 35, to: 40, reason: 'again' },
    ]
    expect(values(withGaps(base, gaps))).toEqual([
      [0, 1],
      [5, 'gap'],
      [30, 3],
      [35, 'gap'],
      [40, 4],
    ])
    // Before any data, a gap's end leaves the value unknown.
    expect(values(withGaps([constantStep(50, 1)], [{ from: 0, to: 10, reason: 'x' }]))).toEqual([
      [0, 'gap'],
      [10, 'unknown'],
      [50, 1],
    ])
  })

  it('turn roll-up rows into minute spreads followed by their last value', () => {
    const row = (minute: number, min: number, max: number, last: number) => ({
      minute,
      min,
      max,
      avg: (min + max) / 2,
      last,
    })
    const steps = [...rollupSteps(row(0, 1, 5, 2), [row(120_000, 2, 9, 3), row(180_000, 3, 3, 3)], 30_000, 600_000)]
    expect(
      steps.map((step) => step.kind === 'value' && [step.t, step.lo, step.hi, step.value, step.carried ?? false]),
    ).toEqual([
      [30_000, 1, 5, 2, true],
      [60_000, 2, 2, 2, false],
      [120_000, 2, 9, 3, false],
      [180_000, 3, 3, 3, false],
      [240_000, 3, 3, 3, false],
    ])
  })

  it('drop repeats but keep roll-up spreads', () => {
    const spread = { ...constantStep(20, 2), lo: 1, hi: 3 }
    expect(
      values(
        withoutRepeats([
          constantStep(0, 2),
          constantStep(10, 2),
          spread,
          constantStep(30, 2),
          { kind: 'gap', t: 40, reason: 'x' },
          { kind: 'gap', t: 45, reason: 'y' },
        ]),
      ),
    ).toEqual([
      [0, 2],
      [20, 2],
      [30, 2],
      [40, 'gap'],
    ])
  })
})
