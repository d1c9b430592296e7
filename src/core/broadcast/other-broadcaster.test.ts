import { describe, expect, it } from 'vitest'
import { type Logger, silentLogger } from '../logger.ts'
import type { Marker } from './marker.ts'
import { OtherBroadcaster } from './other-broadcaster.ts'

/** A marker whose other holders are `live` now, and `asked` when asked (or that fails when asked). */
function marker(asked: string[] | Error, live: string[] = []) {
  const calls: string[] = []
  const fake: Marker = {
    id: 'me',
    state: 'off',
    othersLive: live,
    othersNow: () => (asked instanceof Error ? Promise.reject(asked) : Promise.resolve(asked)),
    hold: () => void calls.push('hold'),
    release: () => void calls.push('release'),
  }
  return { fake, calls }
}

describe('OtherBroadcaster', () => {
  it('finds who else holds the marker, blocks with their name, and claims or lets go of it', async () => {
    const { fake, calls } = marker(['abc123'])
    const others = new OtherBroadcaster(fake, silentLogger)
    const other = await others.findOther(new AbortController().signal)
    expect(other).toBe('abc123')
    others.blockedBy('abc123', 42)
    expect(others.status().otherBroadcaster).toMatchObject({ detectedAt: 42 })
    expect(others.status().otherBroadcaster?.detail).toMatch(/^[A-Z].* is already broadcasting to this app$/)
    others.claim()
    expect(others.status().otherBroadcaster).toBeNull()
    others.release()
    expect(calls).toEqual(['release', 'hold', 'release'])
  })

  it('counts not knowing as no one, with a warning unless the check was given up', async () => {
    const warnings: string[] = []
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) }
    const others = new OtherBroadcaster(marker(new Error('timed out')).fake, logger)
    expect(await others.findOther(new AbortController().signal)).toBeNull()
    expect(warnings).toEqual(['could not check for another broadcaster: timed out'])
    const aborted = new AbortController()
    aborted.abort()
    expect(await others.findOther(aborted.signal)).toBeNull()
    expect(warnings).toHaveLength(1)
  })

  it('warns while running that another one joined (every message doubled), and clears it when it leaves', () => {
    const live: string[] = []
    const others = new OtherBroadcaster(marker([], live).fake, silentLogger)
    live.push('def456')
    others.markerChanged(false, false, 1)
    expect(others.status().otherBroadcaster).toBeNull()
    others.markerChanged(true, false, 2)
    expect(others.status().otherBroadcaster?.detail).toMatch(
      /is also broadcasting to this app: every message is doubled$/,
    )
    live.pop()
    // Blocked, the reason it waits stands until it switches on.
    others.blockedBy('def456', 3)
    others.markerChanged(false, true, 4)
    expect(others.status().otherBroadcaster).toMatchObject({ detectedAt: 3 })
    others.markerChanged(false, false, 5)
    expect(others.status().otherBroadcaster).toBeNull()
  })
})
