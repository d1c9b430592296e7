import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { generateToken, hasValidToken, isAllowedOrigin, isLoopbackAddress } from './access.ts'

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

  it("lets browsers in only from this server's own origin", () => {
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480' }))).toBe(true)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'http://127.0.0.1:7480' }))).toBe(true)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'https://evil.example' }))).toBe(false)
    expect(isAllowedOrigin(request('/api', { host: '127.0.0.1:7480', origin: 'null' }))).toBe(false)
    expect(isAllowedOrigin(request('/api', { origin: 'http://127.0.0.1:7480' }))).toBe(false)
  })
})
