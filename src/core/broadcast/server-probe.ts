// What kind of server the broadcaster publishes to: Pusher itself (a cluster, or a *.pusher.com host),
// Headcount's emulator (it answers `GET /emulator/stats`, whose counts are exact), or another
// Pusher-compatible server. The console asks before broadcasting anywhere but the emulator, and against
// the emulator it shows the emulator's own count of messages next to Headcount's.
import type { Credentials } from '../../shared/connection.ts'

export type ServerKind = 'emulator' | 'pusher' | 'other'

export interface ServerProbe {
  /** What the server is. */
  identify(signal?: AbortSignal): Promise<ServerKind>
  /**
   * The emulator's count of messages for triggered events so far: events published (once per channel)
   * plus their deliveries, cached events handed to new subscribers and `pusher:cache_miss`.
   */
  emulatorMessages(signal?: AbortSignal): Promise<number>
}

interface EmulatorStatsAnswer {
  deliveries?: { event?: unknown; cached_event?: unknown; cache_miss?: unknown }
  published?: unknown
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0

/** The message count in an `/emulator/stats` answer, or null when it is not one. */
export function emulatorMessagesOf(answer: unknown): number | null {
  const stats = answer as EmulatorStatsAnswer | null
  const deliveries = stats?.deliveries
  if (
    !isCount(stats?.published) ||
    !isCount(deliveries?.event) ||
    !isCount(deliveries.cached_event) ||
    !isCount(deliveries.cache_miss)
  ) {
    return null
  }
  return stats.published + deliveries.event + deliveries.cached_event + deliveries.cache_miss
}

export function isPusherHost(credentials: Credentials): boolean {
  const target = credentials.target
  return target.kind === 'cluster' || /(^|\.)pusher(app)?\.com$/i.test(target.host)
}

/** Probes `endpoint` (http(s)://host:port) with plain HTTP; Pusher's own hosts are never asked. */
export function httpServerProbe(credentials: Credentials, endpoint: string, timeoutMs: number): ServerProbe {
  const read = async (signal?: AbortSignal): Promise<number | null> => {
    const deadline = AbortSignal.timeout(timeoutMs)
    const response = await fetch(`${endpoint}/emulator/stats?top=0`, {
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    })
    if (!response.ok) return null
    try {
      return emulatorMessagesOf(await response.json())
    } catch {
      return null
    }
  }
  return {
    async identify(signal) {
      if (isPusherHost(credentials)) return 'pusher'
      try {
        return (await read(signal)) === null ? 'other' : 'emulator'
      } catch {
        return 'other'
      }
    },
    async emulatorMessages(signal) {
      const messages = await read(signal)
      if (messages === null) throw new Error('the server did not answer /emulator/stats')
      return messages
    },
  }
}
