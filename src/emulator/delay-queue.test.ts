import { afterEach, describe, expect, it, vi } from 'vitest'
import { DelayQueue } from './delay-queue.ts'

describe('DelayQueue', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs jobs in order once their delay has passed', () => {
    vi.useFakeTimers()
    const queue = new DelayQueue()
    const ran: number[] = []
    queue.push(100, () => ran.push(1))
    vi.advanceTimersByTime(50)
    queue.push(100, () => ran.push(2))
    vi.advanceTimersByTime(50)
    expect(ran).toEqual([1])
    vi.advanceTimersByTime(50)
    expect(ran).toEqual([1, 2])
    expect(queue.size).toBe(0)
  })

  it('handles many jobs and stops on close', () => {
    vi.useFakeTimers()
    const queue = new DelayQueue()
    let count = 0
    for (let i = 0; i < 5000; i++) queue.push(10, () => count++)
    vi.advanceTimersByTime(10)
    expect(count).toBe(5000)
    queue.push(10, () => count++)
    queue.close()
    vi.advanceTimersByTime(100)
    expect(count).toBe(5000)
  })
})
