import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, freePort, openedPerTest } from './engine-harness.ts'

// An operator changing how often a watched app is polled, mid-stream: the running sync takes the new
// interval. Reading everyone again would cost a first sync (at a million, its memory and seconds) and
// put a gap in the history for nothing.

const opened = openedPerTest()

describe('a changed poll interval on a watched app', () => {
  it('is taken by the running sync: no new reading, no gap, polls at the new pace', { timeout: 60_000 }, async () => {
    const emulator = await opened.emulator()
    const h = opened.harness()
    const from = Date.now() - 1000
    const slow = { ...DEFAULT_SYNC_OPTIONS, mode: 'poll' as const, pollIntervalSec: 60 }
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: slow,
    })
    emulator.injectMany(Array.from({ length: 30 }, (_, i) => ({ channel: `private-hall-user${i}` })))
    await h.handlers['connection.connect']({ id: profile.id })
    await h.until(
      () => h.events('tick'),
      (ticks) => ticks.length === 1,
      'the first sync',
    )
    const [first] = h.events('tick')
    expect(first).toMatchObject({ baseline: true, total: 30 })
    // Waiting a minute for the next poll, as set.
    const waiting = await h.until(
      () => h.handlers['status.get'](undefined),
      (status) => (status.sync?.nextAttemptAt ?? 0) > Date.now() + 50_000,
      'the next poll a minute away',
    )
    expect(waiting.sync?.state).toBe('ok')

    await h.handlers['sync.setOptions']({ id: profile.id, options: { ...slow, pollIntervalSec: 1 } })
    emulator.injectMany([{ channel: 'private-hall-late' }])
    // The wait under way is timed again from when it began: the next poll is due at once.
    const ticks = await h.until(
      () => h.events('tick'),
      (all) => all.length >= 3,
      'polls at the new interval',
    )
    // One reading all along: the same stream, numbered on, and the late one a join seen as it happened.
    expect(new Set(ticks.map((tick) => tick.stream))).toEqual(new Set([first?.stream]))
    expect(ticks.slice(1).every((tick) => !tick.baseline)).toBe(true)
    expect(ticks.find((tick) => tick.joins === 1)).toMatchObject({ total: 31 })
    const annotations = await h.handlers['history.annotations']({ from, to: Date.now() + 1000 })
    expect(annotations.spans).toEqual([])
    expect((await h.handlers['profiles.list'](undefined)).find((one) => one.id === profile.id)?.sync).toMatchObject({
      pollIntervalSec: 1,
    })

    // A changed mode still makes a new reading, after a gap that says why.
    const hybrid = { ...slow, pollIntervalSec: 1, mode: 'hybrid' as const, webhookPort: await freePort() }
    await h.handlers['sync.setOptions']({ id: profile.id, options: hybrid })
    await h.until(
      () => h.events('tick'),
      (all) => all.some((tick) => tick.stream !== first?.stream),
      'a new reading',
    )
  })
})
