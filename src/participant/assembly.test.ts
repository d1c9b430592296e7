import { describe, expect, it } from 'vitest'
import { Assembly } from './assembly.ts'

describe('Assembly of split broadcasts', () => {
  it('completes a single piece at once', () => {
    expect(new Assembly<string>().offer(10, 1, 1, 'a')).toEqual({ kind: 'kept', complete: ['a'] })
  })

  it('gathers the parts of one ts in any order and hands them back in order', () => {
    const assembly = new Assembly<string>()
    expect(assembly.offer(10, 3, 3, 'c')).toEqual({ kind: 'kept', complete: null })
    expect(assembly.offer(10, 1, 3, 'a')).toEqual({ kind: 'kept', complete: null })
    expect(assembly.partial).toEqual(['a', 'c'])
    expect(assembly.offer(10, 2, 3, 'b')).toEqual({ kind: 'kept', complete: ['a', 'b', 'c'] })
    // A resend of a part of the same ts (a heartbeat) keeps it complete.
    expect(assembly.offer(10, 2, 3, 'B')).toEqual({ kind: 'kept', complete: ['a', 'B', 'c'] })
  })

  it('drops anything older than the newest ts heard, and starts over on a newer one', () => {
    const assembly = new Assembly<string>()
    assembly.offer(20, 1, 2, 'new-a')
    expect(assembly.offer(10, 2, 2, 'old-b')).toEqual({ kind: 'stale' })
    expect(assembly.offer(30, 1, 1, 'newer')).toEqual({ kind: 'kept', complete: ['newer'] })
    expect(assembly.offer(20, 2, 2, 'new-b')).toEqual({ kind: 'stale' })
    expect(assembly.ts).toBe(30)
  })

  it('never completes a ts from parts of an older one', () => {
    const assembly = new Assembly<string>()
    assembly.offer(10, 1, 2, 'a10')
    assembly.offer(11, 2, 2, 'b11')
    expect(assembly.partial).toEqual(['b11'])
    expect(assembly.offer(11, 1, 2, 'a11')).toEqual({ kind: 'kept', complete: ['a11', 'b11'] })
  })

  it('starts over when the same ts comes split differently', () => {
    const assembly = new Assembly<string>()
    assembly.offer(10, 1, 3, 'a')
    assembly.offer(10, 2, 3, 'b')
    expect(assembly.offer(10, 1, 2, 'x')).toEqual({ kind: 'kept', complete: null })
    expect(assembly.offer(10, 2, 2, 'y')).toEqual({ kind: 'kept', complete: ['x', 'y'] })
  })
})
