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

  it('merge overlapping and touching gaps of one cause, clipped to the range', () => {
    const gap = (from: number, to: number, reason: string) => ({ from, to, reason, cause: 'sync-failed' as const })
    expect(mergeGaps([gap(50, 70, 'b'), gap(0, 20, 'a'), gap(15, 30, 'a'), gap(90, 200, 'd')], 10, 100)).toEqual([
      gap(10, 30, 'a'),
      gap(50, 70, 'b'),
      gap(90, 100, 'd'),
    ])
  })

  it('keep gaps of different causes apart, the later one owning an overlap', () => {
    const stopped = (from: number, to: number) => ({ from, to, reason: 'Headcount stopped', cause: 'stopped' as const })
    const failed = (from: number, to: number) => ({ from, to, reason: 'Sync failed', cause: 'sync-failed' as const })
    // Touching: both stay, each with its words.
    expect(mergeGaps([stopped(0, 20), failed(20, 30)], 0, 100)).toEqual([stopped(0, 20), failed(20, 30)])
    // A failure inside a stop: the stop resumes after it.
    expect(mergeGaps([stopped(0, 50), failed(20, 30)], 0, 100)).toEqual([
      stopped(0, 20),
      failed(20, 30),
      stopped(30, 50),
    ])
    // Starting together: the later news wins the whole overlap.
    expect(mergeGaps([stopped(10, 30), failed(10, 40)], 0, 100)).toEqual([failed(10, 40)])
  })

  it('hide values inside gaps and resume with the value in effect when a gap ends', () => {
    const base = [constantStep(0, 1), constantStep(10, 2), constantStep(25, 3), constantStep(40, 4)]
    const gaps = [
      { from: 5, to: 30, reason: 'down', cause: 'sync-failed' as const },
      { from: 35, to: 40, reason: 'again', cause: 'sync-failed' as const },
    ]
    expect(values(withGaps(base, gaps))).toEqual([
      [0, 1],
      [5, 'gap'],
      [30, 3],
      [35, 'gap'],
      [40, 4],
    ])
    // Two gaps back to back: nothing is known between them, so no value resumes there.
    const adjacent = [
      { from: 5, to: 20, reason: 'stopped', cause: 'stopped' as const },
      { from: 20, to: 30, reason: 'failed', cause: 'sync-failed' as const },
    ]
    expect(
      [...withGaps(base, adjacent)].map((step) => [step.t, step.kind === 'gap' ? step.reason : step.kind]),
    ).toEqual([
      [0, 'value'],
      [5, 'stopped'],
      [20, 'failed'],
      [30, 'value'],
      [40, 'value'],
    ])
    // Before any data, a gap's end leaves the value unknown.
    expect(
      values(withGaps([constantStep(50, 1)], [{ from: 0, to: 10, reason: 'x', cause: 'sync-failed' as const }])),
    ).toEqual([
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

  it('drop repeats but keep roll-up spreads and a gap whose cause differs', () => {
    const spread = { ...constantStep(20, 2), lo: 1, hi: 3 }
    expect(
      values(
        withoutRepeats([
          constantStep(0, 2),
          constantStep(10, 2),
          spread,
          constantStep(30, 2),
          { kind: 'gap', t: 40, reason: 'x', cause: 'sync-failed' as const },
          { kind: 'gap', t: 45, reason: 'y', cause: 'sync-failed' as const },
        ]),
      ),
    ).toEqual([
      [0, 2],
      [20, 2],
      [30, 2],
      [40, 'gap'],
      [45, 'gap'],
    ])
    expect(
      values(
        withoutRepeats([
          { kind: 'gap', t: 40, reason: 'x', cause: 'sync-failed' },
          { kind: 'gap', t: 45, reason: 'x', cause: 'sync-failed' },
        ]),
      ),
    ).toEqual([[40, 'gap']])
  })
})
