import { describe, expect, it } from 'vitest'
import { ChannelListFormatError, ServerErrorInBody } from '../presence/errors.ts'
import {
  ChannelsApiError,
  failureFromNetworkError,
  failureFromStatus,
  oneTryHint,
  toFailure,
  truncatedFailure,
  unfinishedFailure,
  unreadableListError,
} from './errors.ts'

const ENDPOINT = 'http://127.0.0.1:9/apps/1'
const bytes = (text: string) => new TextEncoder().encode(text)

describe('toFailure', () => {
  it('keeps a classified API failure as it is', () => {
    const failure = failureFromStatus(401, 'Invalid signature', ENDPOINT)
    expect(toFailure(new ChannelsApiError(failure), ENDPOINT)).toBe(failure)
  })

  it('classifies an error reported inside an HTTP 200 by its code, and says where it came from', () => {
    const failure = toFailure(new ServerErrorInBody('Invalid key', 401), ENDPOINT)
    expect(failure).toMatchObject({ kind: 'auth' })
    expect(failure.message).toMatch(/\(reported inside an HTTP 200 answer\)$/)
  })

  it('calls a list it could not read malformed, and anything else an unexpected failure worth retrying', () => {
    expect(toFailure(new ChannelListFormatError('expected "{"', 0), ENDPOINT)).toMatchObject({
      kind: 'malformed',
      message: `The channel list from ${ENDPOINT} is malformed: expected "{"`,
      retryable: true,
    })
    expect(toFailure(new Error('boom'), ENDPOINT)).toMatchObject({
      kind: 'server-error',
      message: 'Sync failed unexpectedly: boom',
      retryable: true,
    })
  })
})

describe('unreadableListError', () => {
  const unreadable = new ChannelListFormatError('expected "{"', 0)

  it('turns a web page where the list should be into the not-channels-api failure', () => {
    for (const page of ['<!DOCTYPE html><title>Sign in</title>', '  \n<html><body>', '<HEAD>', '<body>']) {
      const error = unreadableListError(unreadable, bytes(page), ENDPOINT)
      expect(toFailure(error, ENDPOINT)).toMatchObject({ kind: 'not-channels-api', retryable: false })
    }
  })

  it('leaves any other error as it is', () => {
    expect(unreadableListError(unreadable, bytes('{"channels": {'), ENDPOINT)).toBe(unreadable)
    const other = new Error('aborted')
    expect(unreadableListError(other, bytes('<html>'), ENDPOINT)).toBe(other)
  })
})

describe('oneTryHint', () => {
  it('tells the operator of a command that tries once to try again, where the engine would retry by itself', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })
    const failures = [
      failureFromStatus(429, undefined, ENDPOINT),
      failureFromStatus(503, undefined, ENDPOINT),
      failureFromNetworkError(refused, ENDPOINT, 1000),
      failureFromNetworkError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), ENDPOINT, 1000),
      truncatedFailure(ENDPOINT, 10, 20),
      unfinishedFailure(ENDPOINT, 1000, 10, 20),
      toFailure(new Error('boom'), ENDPOINT),
    ]
    for (const failure of failures) {
      expect(failure.hint).toMatch(/retries|backs off/)
      const hint = oneTryHint(failure.hint)
      expect(hint).not.toMatch(/retries|backs off/)
      expect(hint).toMatch(/try again/i)
    }
    // A hint that promises no retry is left as it is.
    const auth = failureFromStatus(401, 'Invalid signature', ENDPOINT)
    expect(oneTryHint(auth.hint)).toBe(auth.hint)
  })
})
