import { describe, expect, it } from 'vitest'
import { checkRoster, checkSummary } from './payload.ts'

describe('checkSummary', () => {
  const good = { room: 'lobby', count: 3, groups: { red: 2, blue: 1 }, ts: 1767312000000 }

  it('accepts the broadcaster’s summary, with part 1 of 1 when not split', () => {
    expect(checkSummary(good, 'lobby')).toEqual({ ok: true, value: { ...good, part: 1, parts: 1 } })
    const split = { ...good, part: 2, parts: 3, truncated: true, omittedGroups: 4, approx: true, precision: 2 }
    expect(checkSummary(split, 'lobby')).toEqual({ ok: true, value: split })
  })

  it.each([
    ['not an object', 'hello', /not a JSON object/],
    ['another room', { ...good, room: 'stage' }, /for room "stage"/],
    ['a negative count', { ...good, count: -1 }, /"count"/],
    ['a fractional count', { ...good, count: 1.5 }, /"count"/],
    ['no ts', { ...good, ts: undefined }, /"ts"/],
    ['groups as a list', { ...good, groups: [1] }, /"groups"/],
    ['a bad group count', { ...good, groups: { red: 'two' } }, /group "red"/],
    ['approx false', { ...good, approx: false }, /"approx"/],
    ['precision 0', { ...good, precision: 0 }, /"precision"/],
    ['part beyond parts', { ...good, part: 4, parts: 3 }, /"part" must be a whole number from 1 to 3/],
    ['parts 0', { ...good, part: 1, parts: 0 }, /"parts"/],
    ['a bad omittedGroups', { ...good, omittedGroups: -2 }, /"omittedGroups"/],
  ])('refuses %s', (_what, data, reason) => {
    const checked = checkSummary(data, 'lobby')
    expect(checked.ok).toBe(false)
    expect(checked.ok ? '' : checked.reason).toMatch(reason)
  })

  it('keeps a group named __proto__ as a group', () => {
    const data = JSON.parse('{"room":"r","count":1,"groups":{"__proto__":1},"ts":1}') as unknown
    const checked = checkSummary(data, 'r')
    expect(checked.ok && Object.keys(checked.value.groups)).toEqual(['__proto__'])
  })
})

describe('checkRoster', () => {
  const good = { room: 'lobby', user: 'ana', friends: ['ben', 'cy'], ts: 5, page: 1, pages: 1 }

  it('accepts the broadcaster’s roster', () => {
    expect(checkRoster(good, 'lobby', 'ana')).toEqual({ ok: true, value: good })
    expect(checkRoster({ ...good, truncated: true }, 'lobby', 'ana')).toEqual({
      ok: true,
      value: { ...good, truncated: true },
    })
  })

  it.each([
    ['another user', { ...good, user: 'ben' }, /for user "ben"/],
    ['another room', { ...good, room: 'x' }, /for room "x"/],
    ['friends not strings', { ...good, friends: [1] }, /"friends"/],
    ['page 0', { ...good, page: 0 }, /"page"/],
  ])('refuses %s', (_what, data, reason) => {
    const checked = checkRoster(data, 'lobby', 'ana')
    expect(checked.ok ? '' : checked.reason).toMatch(reason)
  })
})
