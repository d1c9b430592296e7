import { describe, expect, it } from 'vitest'
import { appIdentity, type Connection } from './connection.ts'

const pusher: Connection = { appId: '42', key: 'app-key', target: { kind: 'cluster', cluster: 'eu' } }
const local: Connection = {
  appId: 'app-1',
  key: 'local-key',
  target: { kind: 'host', host: '127.0.0.1', port: 6001, useTLS: false },
}

describe('appIdentity', () => {
  it('names the API, the app id and the key, never a secret', () => {
    expect(appIdentity(pusher)).toBe('https://api-eu.pusher.com/apps/42 key app-key')
    expect(appIdentity({ ...local, secret: 'shh' } as Connection)).not.toContain('shh')
  })

  it('tells apart every change of app id, key, cluster, host, port or TLS', () => {
    const variants: Connection[] = [
      pusher,
      { ...pusher, appId: '43' },
      { ...pusher, key: 'other-key' },
      { ...pusher, target: { kind: 'cluster', cluster: 'mt1' } },
      local,
      { ...local, target: { kind: 'host', host: '10.0.0.2', port: 6001, useTLS: false } },
      { ...local, target: { kind: 'host', host: '127.0.0.1', port: 6002, useTLS: false } },
      { ...local, target: { kind: 'host', host: '127.0.0.1', port: 6001, useTLS: true } },
    ]
    expect(new Set(variants.map(appIdentity)).size).toBe(variants.length)
  })

  it('is the same for the same app written two ways (a cluster, or its API host over TLS)', () => {
    const asHost: Connection = {
      ...pusher,
      target: { kind: 'host', host: 'api-eu.pusher.com', port: null, useTLS: true },
    }
    expect(appIdentity(asHost)).toBe(appIdentity(pusher))
  })
})
