import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, openedPerTest } from './engine-harness.ts'

// A room's recent joins and leaves (the room view's feed) against a crowd busier than one tick lists.

const opened = openedPerTest()

const people = (room: string, prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ channel: `private-${room}-${prefix}${i}` }))

describe("a room's recent joins and leaves", () => {
  it('lists every one of them, though a busier room churned more since and a tick lists only 100', async () => {
    const target = await opened.emulator({ vacateDelayMs: 0 })
    const h = opened.harness()
    target.injectMany(people('hall', 'seed', 10))
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(target),
      secret: target.secret,
      convention: { kind: 'template', template: 'private-{room}-{user}' },
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 300 },
    })
    await h.handlers['connection.connect']({ id: profile.id })
    const ticks = () => h.events('tick').length
    const syncOnce = async (label: string) => {
      const before = ticks()
      h.engine.handlers['sync.now'](undefined)
      await h.until(ticks, (n) => n > before, label)
    }
    await h.until(ticks, (n) => n >= 1, 'the first sync')

    // 150 people arrive in the lobby and 40 leave it, with 300 arriving in the hall, in one sync.
    const lobby = target.injectMany(people('lobby', 'early', 40))
    await syncOnce('the lobby fills')
    target.removeInjectedMany(lobby)
    target.injectMany(people('lobby', 'guest', 150))
    target.injectMany(people('hall', 'a', 300))
    await syncOnce('the first busy sync')
    // Then the hall alone churns through more than the engine used to remember.
    target.injectMany(people('hall', 'b', 450))
    await syncOnce('the hall churns')

    const detail = await h.handlers['room.detail']({ room: 'lobby', offset: 0, limit: 10 })
    const joins = detail.recent.filter((event) => event.type === 'join').map((event) => event.user)
    const leaves = detail.recent.filter((event) => event.type === 'leave').map((event) => event.user)
    expect(new Set(joins)).toEqual(
      new Set(
        [...people('x', 'early', 40), ...people('x', 'guest', 150)].map((p) => p.channel.slice('private-x-'.length)),
      ),
    )
    expect(new Set(leaves)).toEqual(new Set(people('x', 'early', 40).map((p) => p.channel.slice('private-x-'.length))))
    expect(detail.recent).toHaveLength(230)
    // Complete since the first sync: nothing before it was seen.
    expect(detail.recentSince).toBe(h.events('tick')[0]?.at)
  }, 60_000)
})
