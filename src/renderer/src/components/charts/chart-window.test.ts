import { describe, expect, it } from 'vitest'
import { chartWindow } from './chart-window.ts'

describe('chart window', () => {
  it('leaves room after now while live, and none for a past window', () => {
    expect(chartWindow({ from: 0, to: 100_000 }, true)).toEqual({ from: 0, to: 102_000 })
    expect(chartWindow({ from: 0, to: 100_000 }, false)).toEqual({ from: 0, to: 100_000 })
    expect(chartWindow(null, true)).toEqual({ from: 0, to: 1 })
  })
})
