import { describe, expect, it } from 'vitest'
import { checkRequestAuth } from './http-auth.ts'
import { hmacHex, md5Hex, stringToSign } from './signature.ts'

const KEY = 'k'
const SECRET = 's'
const NOW = 1_700_000_000_000

function signed(body: string, overrides: Record<string, string> = {}, path = '/apps/1/events') {
  const params: Array<[string, string]> = Object.entries({
    auth_key: KEY,
    auth_timestamp: String(NOW / 1000),
    auth_version: '1.0',
    ...(body === '' ? {} : { body_md5: md5Hex(body) }),
    ...overrides,
  })
  params.push(['auth_signature', hmacHex(SECRET, stringToSign('POST', path, params))])
  return { method: 'POST', paths: [path], params, body }
}

describe('checkRequestAuth', () => {
  it('accepts a correctly signed request', () => {
    expect(checkRequestAuth(signed('{"a":1}'), KEY, SECRET, NOW)).toEqual({ ok: true })
    expect(checkRequestAuth(signed(''), KEY, SECRET, NOW)).toEqual({ ok: true })
  })

  it('accepts timestamps up to 600 s away and refuses beyond', () => {
    expect(checkRequestAuth(signed('', { auth_timestamp: String(NOW / 1000 - 600) }), KEY, SECRET, NOW).ok).toBe(true)
    const stale = checkRequestAuth(signed('', { auth_timestamp: String(NOW / 1000 - 601) }), KEY, SECRET, NOW)
    expect(stale).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/Timestamp expired/) })
    expect(checkRequestAuth(signed('', { auth_timestamp: 'soon' }), KEY, SECRET, NOW).ok).toBe(false)
  })

  it('refuses a wrong key, version, body_md5 or signature with a reason', () => {
    expect(checkRequestAuth(signed('', { auth_key: 'other' }), KEY, SECRET, NOW)).toMatchObject({
      message: expect.stringMatching(/auth_key/),
    })
    expect(checkRequestAuth(signed('', { auth_version: '2.0' }), KEY, SECRET, NOW)).toMatchObject({
      message: expect.stringMatching(/auth_version/),
    })
    expect(checkRequestAuth(signed('{}', { body_md5: 'abc' }), KEY, SECRET, NOW)).toMatchObject({
      message: expect.stringMatching(/body_md5/),
    })
    const noMd5 = signed('{}')
    const withoutMd5 = { ...noMd5, params: noMd5.params.filter(([k]) => k !== 'body_md5') }
    expect(checkRequestAuth(withoutMd5, KEY, SECRET, NOW)).toMatchObject({ message: expect.stringMatching(/body_md5/) })
    expect(checkRequestAuth(signed('{}'), KEY, 'other-secret', NOW)).toMatchObject({
      status: 401,
      message: expect.stringMatching(/^Invalid signature/),
    })
    const moved = { ...signed('{}'), paths: ['/apps/1/batch_events'] }
    expect(checkRequestAuth(moved, KEY, SECRET, NOW).ok).toBe(false)
  })
})
