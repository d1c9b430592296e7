import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import {
  generateToken,
  hasValidToken,
  hostRefusal,
  isAllowedOrigin,
  isLoopbackAddress,
  tokenRefusal,
} from './access.ts'

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage

describe('access rules', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackAddress(host)).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '10.0.0.1'])
      expect(isLoopbackAddress(host)).toBe(false)
  })

  it('accepts the token from the query or the cookie, compared in full', () => {
    const token = generateToken()
    expect(token.length).toBeGreaterThanOrEqual(32)
    expect(hasValidToken(request('/'), null)).toBe(true)
    expect(hasValidToken(request(`/?token=${token}`), token)).toBe(true)
    expect(hasValidToken(request('/api', { cookie: `a=1; headcount_token=${token}` }), token)).toBe(true)
    expect(hasValidToken(request('/'), token)).toBe(false)
    expect(hasValidToken(request(`/?token=${token.slice(0, -1)}`), token)).toBe(false)
    expect(hasValidToken(request('/?token='), token)).toBe(false)
  })

  it('accepts the token as a bearer token, which outranks the query and the cookie', () => {
    const token = generateToken()
    expect(hasValidToken(request('/api', { authorization: `Bearer ${token}` }), token)).toBe(true)
    expect(hasValidToken(request('/api', { authorization: `bearer ${token}` }), token)).toBe(true)
    expect(hasValidToken(request(`/api?token=${token}`, { authorization: 'Bearer wrong' }), token)).toBe(false)
    expect(hasValidToken(request('/api', { authorization: `Basic ${token}` }), token)).toBe(false)
  })

  it('tells a missing token from a wrong one, in words', () => {
    expect(tokenRefusal(request('/'), null)).toBeNull()
    expect(tokenRefusal(request('/?token=right'), 'right')).toBeNull()
    expect(tokenRefusal(request('/'), 'right')).toMatchObject({
      kind: 'missing',
      title: 'This Headcount server needs an access token',
    })
    expect(tokenRefusal(request('/?token='), 'right')?.kind).toBe('missing')
    const wrong = tokenRefusal(request('/', { cookie: 'headcount_token=stale' }), 'right')
    expect(wrong).toMatchObject({ kind: 'wrong', title: 'The server refused the access token' })
    expect(wrong?.text).toMatch(/^The server refused the access token: /)
    expect(wrong?.text).not.toContain('right')
  })

  it('compares origins with the scheme the server speaks', () => {
    const from = (host: string, origin: string) => request('/api', { host, origin })
    expect(isAllowedOrigin(from('h.example:8443', 'https://h.example:8443'), 'https')).toBe(true)
    expect(isAllowedOrigin(from('h.example', 'https://h.example'), 'https')).toBe(true)
    expect(isAllowedOrigin(from('h.example:443', 'https://h.example'), 'https')).toBe(true)
    expect(isAllowedOrigin(from('h.example:8443', 'http://h.example:8443'), 'https')).toBe(false)
    expect(isAllowedOrigin(from('h.example:8080', 'https://h.example:8080'), 'http')).toBe(false)
  })

  it("lets browsers in only from this server's own origin", () => {
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480' }))).toBe(true)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'http://127.0.0.1:7480' }))).toBe(true)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'https://evil.example' }))).toBe(false)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'null' }))).toBe(false)
    expect(isAllowedOrigin(request('/api', { origin: 'http://127.0.0.1:7480' }))).toBe(false)
    expect(isAllowedOrigin(request('/api', { host: 'LocalHost:7480', origin: 'http://localhost:7480' }))).toBe(true)
    expect(isAllowedOrigin(request('/api', { host: 'evil@localhost:7480', origin: 'http://localhost:7480' }))).toBe(
      false,
    )
  })

  describe('the Host a request names, on a loopback bind without a token (DNS rebinding)', () => {
    const bound = { address: '127.0.0.1', port: 7480 }

    it('accepts the bound address and the loopback names, with the bound port', () => {
      for (const host of ['127.0.0.1:7480', 'localhost:7480', '[::1]:7480']) expect(hostRefusal(host, bound)).toBeNull()
    })

    it('ignores case and a trailing dot, as DNS does', () => {
      for (const host of ['LOCALHOST:7480', 'LocalHost.:7480', '127.0.0.1.:7480'])
        expect(hostRefusal(host, bound)).toBeNull()
    })

    it('refuses any other name, even one that resolves to this machine', () => {
      for (const host of ['evil.example:7480', 'evil.example', 'localhost.evil.example:7480', '127.0.0.1.nip.io:7480'])
        expect(hostRefusal(host, bound)).toMatch(/answers only to .*localhost.* on port 7480/)
    })

    it('refuses the right name with another port, or with none', () => {
      expect(hostRefusal('127.0.0.1:7481', bound)).toMatch(/port 7480/)
      expect(hostRefusal('localhost', bound)).toMatch(/port 7480/)
      expect(hostRefusal('localhost:80', { address: '127.0.0.1', port: 80 })).toBeNull()
      expect(hostRefusal('localhost', { address: '127.0.0.1', port: 80 })).toBeNull()
    })

    it('refuses a missing Host, and anything that is not a plain host[:port]', () => {
      expect(hostRefusal(undefined, bound)).toMatch(/no Host header/)
      expect(hostRefusal('', bound)).toMatch(/no Host header/)
      for (const host of [
        'evil@127.0.0.1:7480',
        '127.0.0.1:7480/x',
        '127.0.0.1:7480 ',
        'localhost:7480:1',
        'local host:7480',
      ])
        expect(hostRefusal(host, bound)).toMatch(/answers only to/)
    })

    it('knows an IPv6 bound address in any spelling', () => {
      const v6 = { address: '::1', port: 9000 }
      expect(hostRefusal('[::1]:9000', v6)).toBeNull()
      expect(hostRefusal('[0:0:0:0:0:0:0:1]:9000', v6)).toBeNull()
      expect(hostRefusal('localhost:9000', v6)).toBeNull()
      expect(hostRefusal('[::2]:9000', v6)).toMatch(/answers only to/)
    })

    it('knows another loopback address it was bound to', () => {
      const other = { address: '127.0.0.2', port: 7480 }
      expect(hostRefusal('127.0.0.2:7480', other)).toBeNull()
      expect(hostRefusal('127.0.0.3:7480', other)).toMatch(/127\.0\.0\.2/)
    })
  })
})
