import { describe, expect, it } from 'vitest'
import { Crowd } from './crowd.ts'

const sorted = (values: Uint32Array): number[] => [...values].sort((a, b) => a - b)

describe('Crowd', () => {
  it('starts at its target size with distinct users', () => {
    const crowd = new Crowd({ size: 5000, rooms: 20, seed: 1 })
    const present = crowd.presentUsers()
    expect(crowd.present).toBe(5000)
    expect(new Set(present).size).toBe(5000)
    expect(crowd.population.size).toBeGreaterThan(5000)
    for (const user of present.subarray(0, 100)) expect(crowd.isPresent(user)).toBe(true)
  })

  it('skews rooms: the busiest room is far larger than the median', () => {
    const crowd = new Crowd({ size: 20_000, rooms: 21, seed: 3 })
    const counts = [...crowd.roomCounts()]
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000)
    const median = [...counts].sort((a, b) => a - b)[10]!
    expect(counts[0]).toBe(Math.max(...counts))
    expect(counts[0]!).toBeGreaterThan(4 * median)
  })

  it('does nothing over time without churn', () => {
    const crowd = new Crowd({ size: 100, rooms: 2, seed: 1 })
    const change = crowd.advance(60_000)
    expect(change.joined.length + change.left.length).toBe(0)
    expect(crowd.elapsedMs).toBe(60_000)
  })

  it('replaces about the churn share per minute and stays around the target', () => {
    const crowd = new Crowd({ size: 10_000, rooms: 10, churn: 0.1, seed: 4 })
    let joined = 0
    let left = 0
    for (let second = 0; second < 600; second++) {
      const change = crowd.advance(1000)
      joined += change.joined.length
      left += change.left.length
      expect(Math.abs(crowd.present - 10_000)).toBeLessThan(500)
    }
    // Ten minutes at 10% a minute: about 10,000 each way.
    expect(joined).toBeGreaterThan(9000)
    expect(joined).toBeLessThan(11_000)
    expect(left).toBeGreaterThan(9000)
    expect(left).toBeLessThan(11_000)
  })

  it('reports consistent changes: leavers were present, arrivals were not, nobody does both', () => {
    const crowd = new Crowd({ size: 1000, rooms: 4, churn: 0.5, seed: 8 })
    for (let step = 0; step < 50; step++) {
      const before = new Set(crowd.presentUsers())
      const { joined, left } = crowd.advance(5000)
      const after = new Set(crowd.presentUsers())
      for (const user of left) {
        expect(before.has(user)).toBe(true)
        expect(after.has(user)).toBe(false)
      }
      for (const user of joined) {
        expect(before.has(user)).toBe(false)
        expect(after.has(user)).toBe(true)
      }
      expect(after.size).toBe(before.size + joined.length - left.length)
      expect(crowd.present).toBe(after.size)
    }
  })

  it('replays the same churn for the same seed and steps', () => {
    const run = (seed: number): number[][] => {
      const crowd = new Crowd({ size: 2000, rooms: 5, churn: 0.2, seed })
      const log: number[][] = [sorted(crowd.presentUsers())]
      for (let i = 0; i < 20; i++) {
        const { joined, left } = crowd.advance(2000)
        log.push([...joined], [...left])
      }
      return log
    }
    expect(run(77)).toEqual(run(77))
    expect(run(77)).not.toEqual(run(78))
  })

  it('handles an empty crowd and refuses bad options', () => {
    const empty = new Crowd({ size: 0, rooms: 3, churn: 0.5, seed: 1 })
    expect(empty.present).toBe(0)
    expect(empty.advance(60_000).joined.length).toBe(0)
    expect(() => new Crowd({ size: 1.5, rooms: 1, seed: 1 })).toThrow(RangeError)
    expect(() => new Crowd({ size: 10, rooms: 1, churn: 2, seed: 1 })).toThrow(RangeError)
    expect(() => new Crowd({ size: 10, rooms: 1, seed: 1 }).advance(-1)).toThrow(RangeError)
  })

  it('builds a million-member crowd in compact arrays', () => {
    const crowd = new Crowd({ size: 1_000_000, rooms: 1000, seed: 1 })
    expect(crowd.present).toBe(1_000_000)
    expect(crowd.population.homeRoom).toBeInstanceOf(Uint32Array)
  })
})
