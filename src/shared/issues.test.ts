import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeIssues, toApiIssues } from './issues.ts'

const Schema = z.object({
  name: z.string().min(1, 'Name is required'),
  target: z.object({ port: z.int('Port is a whole number') }),
  tags: z.array(z.string()),
})

function failure(value: unknown) {
  const result = Schema.safeParse(value)
  if (result.success) throw new Error('expected a failure')
  return result.error
}

describe('zod issues', () => {
  it('become envelope issues with dotted paths', () => {
    expect(toApiIssues(failure({ name: '', target: { port: 1.5 }, tags: ['a', 2] }))).toEqual([
      { path: 'name', message: 'Name is required' },
      { path: 'target.port', message: 'Port is a whole number' },
      { path: 'tags.1', message: expect.stringMatching(/expected string/) },
    ])
  })

  it('read as one line, with or without paths', () => {
    const error = failure({ name: '', target: { port: 1.5 }, tags: [] })
    expect(describeIssues(error)).toBe('name: Name is required; target.port: Port is a whole number')
    expect(describeIssues(error, { withPaths: false })).toBe('Name is required; Port is a whole number')
  })

  it('give a value with no path just its message', () => {
    const result = z.string().min(1, 'Secret is required').safeParse('')
    expect(result.success).toBe(false)
    if (!result.success) expect(describeIssues(result.error)).toBe('Secret is required')
  })
})
