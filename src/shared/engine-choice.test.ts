import { describe, expect, it } from 'vitest'
import {
  engineLabel,
  engineTitle,
  normalizeFingerprint,
  parseServerAddress,
  RemoteServerInputSchema,
  ServerAddressError,
  type EngineView,
} from './engine-choice.ts'

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':')

describe('parseServerAddress', () => {
  it('reads the address serve printed, its API URL, or host:port, as TLS by default', () => {
    expect(parseServerAddress('https://team.example:7480/?token=abc')).toEqual({
      apiUrl: 'wss://team.example:7480/api',
      origin: 'https://team.example:7480',
      shown: 'wss://team.example:7480',
      secure: true,
      token: 'abc',
    })
    expect(parseServerAddress('  wss://team.example:7480/api ')).toMatchObject({
      apiUrl: 'wss://team.example:7480/api',
      token: null,
    })
    expect(parseServerAddress('team.example:7480').apiUrl).toBe('wss://team.example:7480/api')
    expect(parseServerAddress('https://team.example').apiUrl).toBe('wss://team.example/api')
    expect(parseServerAddress('https://[::1]:7480/').shown).toBe('wss://[::1]:7480')
  })

  it('accepts plain HTTP only for a server on this computer', () => {
    expect(parseServerAddress('http://127.0.0.1:7480/')).toMatchObject({
      apiUrl: 'ws://127.0.0.1:7480/api',
      secure: false,
    })
    expect(parseServerAddress('ws://localhost:7480').secure).toBe(false)
    expect(() => parseServerAddress('http://team.example:7480')).toThrow(/must be reached over TLS/)
    expect(() => parseServerAddress('ws://10.0.0.5:7480')).toThrow(ServerAddressError)
  })

  it('refuses what is not a server address, saying why', () => {
    expect(() => parseServerAddress('ftp://team.example')).toThrow(/over https:\/\/ \(or wss:\/\/\), not ftp:\/\//)
    expect(() => parseServerAddress('https://user:pw@team.example')).toThrow(/access token in its own field/)
    expect(() => parseServerAddress('https://team.example/elsewhere')).toThrow(/without a path/)
    expect(() => parseServerAddress('https://exa mple')).toThrow(/is not an address/)
  })
})

describe('fingerprints', () => {
  it('normalises a fingerprint as people copy it, and refuses anything else', () => {
    expect(normalizeFingerprint(FINGERPRINT.toLowerCase())).toBe(FINGERPRINT)
    expect(normalizeFingerprint(FINGERPRINT.replaceAll(':', ''))).toBe(FINGERPRINT)
    expect(normalizeFingerprint(FINGERPRINT.replaceAll(':', ' '))).toBe(FINGERPRINT)
    expect(normalizeFingerprint(FINGERPRINT.slice(3))).toBeNull()
    expect(normalizeFingerprint('not a fingerprint')).toBeNull()
  })

  it('the contract takes only the canonical form', () => {
    expect(RemoteServerInputSchema.safeParse({ url: 'h:1', fingerprint: FINGERPRINT }).success).toBe(true)
    expect(RemoteServerInputSchema.safeParse({ url: 'h:1', fingerprint: FINGERPRINT.toLowerCase() }).success).toBe(
      false,
    )
    expect(RemoteServerInputSchema.safeParse({ url: '  ' }).success).toBe(false)
  })
})

describe('what the title and status bar say', () => {
  const local: EngineView = { shell: 'desktop', shown: { kind: 'local' }, saved: null }
  const remote: EngineView = {
    shell: 'desktop',
    shown: { kind: 'remote', url: 'wss://team.example:7480', state: 'connected', problem: null },
    saved: null,
  }
  it('names the engine shown', () => {
    expect(engineLabel(local)).toBe('this computer')
    expect(engineLabel(remote)).toBe('shared server wss://team.example:7480')
    expect(engineTitle(local)).toBe('Headcount — this computer')
    expect(engineTitle(remote)).toBe('Headcount — shared server wss://team.example:7480')
    expect(engineTitle({ ...local, shell: 'web' })).toBe('Headcount')
    expect(engineTitle(null)).toBe('Headcount')
  })
})
