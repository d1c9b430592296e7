import { describe, expect, it } from 'vitest'
import { downsampleGroups, downsampleSeries } from './downsample.ts'
import { constantStep, withGaps, type Step } from './steps.ts'

/** A seeded pseudo-random sequence, so a failure replays. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('downsampleSeries', () => {
  it('returns every change when they fit', () => {
    const steps = [
      constantStep(0, 1),
      constantStep(10, 1),
      constantStep(20, 5),
      { kind: 'gap', t: 30, reason: 'x', cause: 'sync-failed' as const } as Step,
      constantStep(40, 5),
    ]
    expect(downsampleSeries(steps, 0, 100, 4)).toEqual([
      { t: 0, value: 1 },
      { t: 20, value: 5 },
      { t: 30, value: null },
      { t: 40, value: 5 },
    ])
  })

  it('never returns more than the points asked for, on random series with gaps', () => {
    const next = random(42)
    for (let round = 0; round < 200; round += 1) {
      const steps: Step[] = []
      let t = 0
      for (let i = 0; i < 1 + Math.floor(next() * 400); i += 1) {
        steps.push(constantStep(t, Math.floor(next() * 50)))
        t += 1 + Math.floor(next() * 1_000)
      }
      const gaps =
        next() < 0.5
          ? [{ from: t * 0.3, to: t * 0.3 + next() * t * 0.2, reason: 'g', cause: 'sync-failed' as const }]
          : []
      const withGap = [...withGaps(steps, gaps)]
      const points = 1 + Math.floor(next() * 60)
      const result = downsampleSeries(withGap, 0, t + 1, points)
      expect(result.length).toBeLessThanOrEqual(points)
      // Times only go forward.
      for (let i = 1; i < result.length; i += 1)
        expect((result[i] as { t: number }).t).toBeGreaterThanOrEqual((result[i - 1] as { t: number }).t)
    }
  })

  it('keeps the extremes of each bucket', () => {
    const steps = Array.from({ length: 1_000 }, (_, i) => constantStep(i * 10, i === 500 ? 99 : i === 700 ? -1 : i % 5))
    const result = downsampleSeries(steps, 0, 10_000, 20)
    expect(result.length).toBeLessThanOrEqual(20)
    expect(result).toContainEqual({ t: 5_000, value: 99 })
    expect(result).toContainEqual({ t: 7_000, value: -1 })
  })

  it('shows a bucket mostly inside a gap as null, and a short gap not at all when points are scarce', () => {
    const steps = [
      ...withGaps(
        Array.from({ length: 100 }, (_, i) => constantStep(i * 10, i % 2)),
        [
          { from: 400, to: 600, reason: 'down', cause: 'sync-failed' as const },
          { from: 801, to: 803, reason: 'blip', cause: 'sync-failed' as const },
        ],
      ),
    ]
    const result = downsampleSeries(steps, 0, 1_000, 20)
    expect(result.filter((point) => point.value === null).map((point) => point.t)).toEqual([400])
    expect(result.some((point) => point.t >= 400 && point.t < 600 && point.value !== null)).toBe(false)
  })
})

describe('downsampleGroups', () => {
  it('gives each change with its groups, or the groups at each bucket’s peak', () => {
    const steps = [constantStep(0, 3, '{"a":2,"b":1}'), constantStep(50, 9, '{"a":9}'), constantStep(60, 1, '{"b":1}')]
    expect(downsampleGroups(steps, 0, 100, 10)).toEqual([
      { t: 0, total: 3, groups: { a: 2, b: 1 } },
      { t: 50, total: 9, groups: { a: 9 } },
      { t: 60, total: 1, groups: { b: 1 } },
    ])
    expect(downsampleGroups(steps, 0, 100, 2)).toEqual([
      { t: 0, total: 3, groups: { a: 2, b: 1 } },
      { t: 50, total: 9, groups: { a: 9 } },
    ])
  })
})
