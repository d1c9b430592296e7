import { describe, expect, it } from 'vitest'
import { canonicalQuery, hmacHex, md5Hex, signChannel, stringToSign } from './signature.ts'

describe('Pusher signatures', () => {
  it("reproduces the worked example of Pusher's HTTP API reference", () => {
    const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}'
    expect(md5Hex(body)).toBe('ec365a775a4cd0599faeb73354201b6f')
    const toSign = stringToSign('post', '/apps/3/events', [
      ['auth_version', '1.0'],
      ['auth_key', '278d425bdf160c739803'],
      ['body_md5', 'ec365a775a4cd0599faeb73354201b6f'],
      ['auth_timestamp', '1353088179'],
    ])
    expect(toSign).toBe(
      'POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f',
    )
    expect(hmacHex('7ad3773142a6692b25b8', toSign)).toBe(
      'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c',
    )
  })

  it('lowercases keys, sorts them, leaves auth_signature out and does not escape values', () => {
    expect(
      canonicalQuery([
        ['Name', 'Something else'],
        ['auth_key', 'foo'],
        ['auth_signature', 'x'],
      ]),
    ).toBe('auth_key=foo&name=Something else')
  })

  it("reproduces the private channel example of Pusher's auth signature reference", () => {
    expect(signChannel('278d425bdf160c739803', '7ad3773142a6692b25b8', '1234.1234', 'private-foobar')).toBe(
      '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
    )
  })
})
