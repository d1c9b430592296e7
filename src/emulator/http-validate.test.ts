import { describe, expect, it } from 'vitest'
import { parseBatch, parseEvent, parseInfo, parseJsonBody } from './http-validate.ts'

describe('HTTP API validation', () => {
  it('parses a trigger to one channel or many', () => {
    expect(parseEvent({ name: 'e', data: '{}', channel: 'a' }, false)).toMatchObject({
      ok: true,
      value: { channels: ['a'], socketId: undefined, info: null },
    })
    const many = parseEvent(
      { name: 'e', data: 'x', channels: ['a', 'b', 'a'], socket_id: '1.2', info: 'user_count' },
      false,
    )
    expect(many).toMatchObject({ ok: true, value: { channels: ['a', 'b'], socketId: '1.2' } })
  })

  it("applies Pusher's limits with the right status", () => {
    expect(parseEvent({ name: 'e', data: 'x'.repeat(10240), channel: 'a' }, false).ok).toBe(true)
    expect(parseEvent({ name: 'e', data: 'x'.repeat(10241), channel: 'a' }, false)).toMatchObject({
      ok: false,
      status: 413,
    })
    // Multi-byte characters count as bytes.
    expect(parseEvent({ name: 'e', data: 'é'.repeat(5121), channel: 'a' }, false)).toMatchObject({ status: 413 })
    const channels = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`)
    expect(parseEvent({ name: 'e', data: '', channels: channels(100) }, false).ok).toBe(true)
    expect(parseEvent({ name: 'e', data: '', channels: channels(101) }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channels: [] }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e'.repeat(201), data: '', channel: 'a' }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channel: 'a'.repeat(165) }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channel: 'no spaces' }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channel: '#server-to-user-42' }, false).ok).toBe(true)
    expect(parseEvent({ name: 'e', data: '', channel: '#other' }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channel: 'a', socket_id: '12' }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: 5, channel: 'a' }, false)).toMatchObject({ status: 400 })
    expect(parseEvent({ name: 'e', data: '', channel: 'a', channels: ['b'] }, false)).toMatchObject({ status: 400 })
    expect(parseEvent('nope', false)).toMatchObject({ status: 400 })
  })

  it('parses batches of at most 10 events, each with one channel', () => {
    const event = { name: 'e', data: '', channel: 'a' }
    expect(parseBatch({ batch: Array(10).fill(event) })).toMatchObject({ ok: true })
    expect(parseBatch({ batch: Array(11).fill(event) })).toMatchObject({ ok: false, status: 413 })
    expect(parseBatch({ batch: [] })).toMatchObject({ status: 400 })
    expect(parseBatch({ batch: [event, { name: 'e', data: '', channels: ['a'] }] })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^batch\[1\]/),
    })
    expect(parseBatch({})).toMatchObject({ status: 400 })
  })

  it('parses info attributes and JSON bodies', () => {
    expect(parseInfo('user_count, subscription_count', ['user_count', 'subscription_count'])).toMatchObject({
      ok: true,
    })
    expect(parseInfo('cache', ['user_count'])).toMatchObject({ ok: false, status: 400 })
    expect(parseJsonBody('{')).toMatchObject({ ok: false, status: 400 })
    expect(parseJsonBody('  ')).toMatchObject({ ok: false, status: 400 })
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } })
  })
})
