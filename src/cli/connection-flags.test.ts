import { describe, expect, it } from 'vitest'
import { connectionFromFlags } from './connection-flags.ts'
import { UsageError } from './usage.ts'

describe('connection flags', () => {
  it('read a forURL-style URL', () => {
    expect(connectionFromFlags({ url: 'http://k3y:s3cr3t@127.0.0.1:6001/apps/42' }, {})).toEqual({
      appId: '42',
      key: 'k3y',
      secret: 's3cr3t',
      target: { kind: 'host', host: '127.0.0.1', port: 6001, useTLS: false },
    })
    expect(connectionFromFlags({ url: 'https://k:s@api-eu.pusher.com/apps/7' }, {})?.target).toEqual({
      kind: 'cluster',
      cluster: 'eu',
    })
  })

  it('read separate flags with a cluster or a host', () => {
    expect(connectionFromFlags({ 'app-id': '1', key: 'k', secret: 's', cluster: 'mt1' }, {})?.target).toEqual({
      kind: 'cluster',
      cluster: 'mt1',
    })
    expect(
      connectionFromFlags({ 'app-id': '1', key: 'k', secret: 's', host: 'ws.example.com', port: '443', tls: true }, {})
        ?.target,
    ).toEqual({
      kind: 'host',
      host: 'ws.example.com',
      port: 443,
      useTLS: true,
    })
  })

  it('fall back to the environment, flags first', () => {
    const env = { PUSHER_URL: 'http://a:b@localhost:6001/apps/3' }
    expect(connectionFromFlags({}, env)?.appId).toBe('3')
    expect(connectionFromFlags({ url: 'http://c:d@localhost/apps/4' }, env)?.appId).toBe('4')
    expect(
      connectionFromFlags({}, { PUSHER_APP_ID: '5', PUSHER_KEY: 'k', PUSHER_SECRET: 's', PUSHER_CLUSTER: 'eu' })
        ?.target,
    ).toEqual({
      kind: 'cluster',
      cluster: 'eu',
    })
    expect(connectionFromFlags({}, {})).toBeNull()
  })

  it("take app ids that are names, as Soketi's app1 or Reverb's app-id, where the SDK's forURL would parseInt them", () => {
    expect(connectionFromFlags({ url: 'http://k:s@127.0.0.1:6001/apps/app-1' }, {})?.appId).toBe('app-1')
    expect(connectionFromFlags({}, { PUSHER_URL: 'http://k:s@127.0.0.1:6001/apps/my_app.v2/' })?.appId).toBe(
      'my_app.v2',
    )
    expect(connectionFromFlags({ url: 'http://k:s@h/apps/app%2D1' }, {})?.appId).toBe('app-1')
    expect(connectionFromFlags({ 'app-id': 'app1', key: 'k', secret: 's', host: 'h' }, {})?.appId).toBe('app1')
    expect(
      connectionFromFlags({}, { PUSHER_APP_ID: 'app-id', PUSHER_KEY: 'k', PUSHER_SECRET: 's', PUSHER_HOST: 'h' })
        ?.appId,
    ).toBe('app-id')
    // Numeric ids, as Pusher's and as saved by earlier versions, read exactly as before.
    expect(connectionFromFlags({ url: 'http://k:s@h/apps/0012' }, {})?.appId).toBe('0012')
  })

  it('refuse incomplete, contradictory or malformed connections with the reason', () => {
    const refusal = (values: object, env = {}) => {
      try {
        connectionFromFlags(values, env)
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError)
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(refusal({ 'app-id': '1', key: 'k' })).toMatch(/missing secret, cluster or host/)
    expect(refusal({ 'app-id': '1', key: 'k', secret: 's', cluster: 'mt1', host: 'h' })).toMatch(/not both/)
    expect(refusal({ 'app-id': '1', key: 'k', secret: 's', cluster: 'mt1', port: '80' })).toMatch(/go with --host/)
    expect(refusal({ 'app-id': 'app 1', key: 'k', secret: 's', cluster: 'mt1' })).toMatch(
      /App id is 1 to 100 letters, digits, "-", "_" or "."/,
    )
    expect(refusal({ 'app-id': 'a'.repeat(101), key: 'k', secret: 's', cluster: 'mt1' })).toMatch(/App id is 1 to 100/)
    expect(refusal({ 'app-id': '..', key: 'k', secret: 's', cluster: 'mt1' })).toMatch(/can't be "." or ".."/)
    expect(refusal({ url: 'http://k:s@h/apps/app%201' })).toMatch(/^--url: App id is 1 to 100/)
    expect(refusal({ url: 'http://k:s@h/apps/%E0%A4%A' })).toMatch(/not valid percent-encoding/)
    expect(refusal({ 'app-id': '1', key: 'k', secret: 's', host: 'h', port: '99999' })).toMatch(/port must be/)
    expect(refusal({ url: 'http://k:s@h/apps/1', key: 'x' })).toMatch(/drop the other/)
    expect(refusal({ url: 'ftp://k:s@h/apps/1' })).toMatch(/Unsupported scheme/)
    expect(refusal({ url: 'http://h/apps/1' })).toMatch(/KEY:SECRET/)
    expect(refusal({ url: 'http://k:s@h/channels' })).toMatch(/\/apps\/APP_ID/)
    expect(refusal({}, { PUSHER_URL: 'nonsense' })).toMatch(/^PUSHER_URL: Not a URL/)
  })
})
