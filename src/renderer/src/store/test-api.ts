import { vi } from 'vitest'
import { DEFAULT_BROADCAST_SETTINGS } from '../../../shared/broadcast.ts'
import type { Api } from '../../../shared/client.ts'
import { DEFAULT_CONVENTION } from '../../../shared/naming.ts'
import type { Tick } from '../../../shared/presence.ts'
import type { ProfileView } from '../../../shared/profiles.ts'
import { DEFAULT_SETTINGS } from '../../../shared/settings.ts'
import type { Status } from '../../../shared/status.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../shared/sync.ts'

export const disconnected: Status = {
  connection: 'disconnected',
  profile: null,
  profileId: null,
  message: 'Not connected',
  at: '2026-01-01T00:00:00.000Z',
  sync: null,
  demo: false,
}

/** A saved profile as profiles.list answers it. */
export function profileView(id: string, change: Partial<ProfileView> = {}): ProfileView {
  return {
    id,
    name: `Profile ${id}`,
    connection: { appId: '1', key: 'key', target: { kind: 'cluster', cluster: 'eu' } },
    convention: DEFAULT_CONVENTION,
    sync: DEFAULT_SYNC_OPTIONS,
    broadcast: DEFAULT_BROADCAST_SETTINGS,
    alerts: [],
    hasSecret: true,
    ...change,
  }
}

/** A reply held back until the test releases it, to make replies arrive out of order. */
export function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((release) => (resolve = release))
  return { promise, resolve }
}

type Handler = (input: unknown) => unknown

/** A fake engine for store tests: canned answers per method, events emitted by hand. */
export function fakeApi(overrides: Partial<Record<string, Handler>> = {}) {
  const listeners = new Map<string, (payload: unknown) => void>()
  const results: Record<string, Handler> = {
    'app.info': () => ({ version: '1.0.0' }),
    'status.get': () => disconnected,
    'settings.get': () => DEFAULT_SETTINGS,
    'settings.update': (patch) => ({ ...DEFAULT_SETTINGS, ...(patch as object) }),
    'profiles.list': () => [],
    'export.list': () => [],
    'rooms.list': () => ({ at: null, stream: null, seq: 0, total: 0, channels: 0, unmatched: 0, rooms: [] }),
    ...overrides,
  }
  const call = vi.fn(async (method: string, input?: unknown) => results[method]?.(input))
  const api = {
    transport: 'websocket',
    call,
    on: vi.fn((event: string, listener: (payload: unknown) => void) => {
      listeners.set(event, listener)
      return () => listeners.delete(event)
    }),
  }
  return {
    api: api as unknown as Api,
    call,
    emit: (event: string, payload: unknown) => listeners.get(event)?.(payload),
  }
}

/** A tick of reading `r1`; its first (seq 1, which lists every room) unless `seq` says otherwise. */
export function tickOf(at: number, change: Partial<Tick> = {}): Tick {
  return {
    at,
    stream: 'r1',
    seq: 1,
    source: 'poll',
    total: 0,
    roomCount: 0,
    channels: 0,
    unmatched: 0,
    joins: 0,
    leaves: 0,
    baseline: false,
    drift: 0,
    changed: [],
    removed: [],
    recent: [],
    ...change,
  }
}
