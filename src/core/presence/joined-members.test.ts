// The engine reads a snapshot's joins lazily (lazyJoins); these check that what it reads is what the
// listed path gives over the same input: the joins in order, the last few, membership, and the leaves.
import { describe, expect, it } from 'vitest'
import { compileConvention, type NamingConvention } from '../../shared/naming.ts'
import { joinCountOf, joinsOf, lastJoins } from './joins.ts'
import { PresenceState } from './presence-state.ts'
import type { IngestOptions, IngestResult, Member } from './types.ts'

const WITH_GROUPS: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }
const encoder = new TextEncoder()
const list = (names: readonly string[]): Uint8Array =>
  encoder.encode(`{"channels":{${names.map((name) => `${JSON.stringify(name)}:{}`).join(',')}}}`)

/** Members over rooms and groups, some with two devices (two channels, one member). */
function crowd(size: number, salt: number): string[] {
  const names: string[] = []
  for (let i = 0; i < size; i++) {
    const n = i + salt
    const group = ['players', 'red', 'blue', 'staff'][n % 4] as string
    names.push(`private-room${(n * 7) % 13}-${group}-u${n % 3 === 0 ? n : `${n}x`}`)
    if (n % 11 === 0) names.push(`private-room${(n * 7) % 13}-${group}-u${n % 3 === 0 ? n : `${n}x`}-phone`)
  }
  return names
}

const occupied = (channel: string, time: number) => ({ name: 'channel_occupied', channel, time_ms: time })
const vacated = (channel: string, time: number) => ({ name: 'channel_vacated', channel, time_ms: time })

interface Read {
  result: IngestResult
  joins: Member[]
  last500: Member[]
  last3: Member[]
  joinCount: number
}

/**
 * Runs the same snapshots (and the same webhooks at the same turns of the event loop, while each
 * snapshot is applied in slices) through a state with `options`; returns each snapshot's result.
 */
async function run(
  snapshots: readonly string[][],
  options: IngestOptions,
  webhooksAt: (turn: number) => string | null,
): Promise<{ state: PresenceState; results: Read[] }> {
  const state = new PresenceState(compileConvention(WITH_GROUPS), { sliceMs: 0 })
  const results: Read[] = []
  for (const [index, names] of snapshots.entries()) {
    const at = 1000 * (index + 1)
    let turn = 0
    let done = false
    const interleave = (): void => {
      if (done) return
      const channel = webhooksAt(turn++)
      if (channel !== null)
        state.applyWebhookEvents([vacated(channel, at + 500), occupied(`${channel}-late`, at + 600)])
      setImmediate(interleave)
    }
    setImmediate(interleave)
    const result = await state.ingestChannelList(list(names), at, options)
    done = true
    // Read at once, as the engine does (lazy joins are read before the next snapshot).
    results.push({
      result,
      joins: [...joinsOf(result)],
      last500: lastJoins(result, 500),
      last3: lastJoins(result, 3),
      joinCount: joinCountOf(result),
    })
  }
  return { state, results }
}

describe('lazy joins (lazyJoins) give what the listed path gives', () => {
  const first = crowd(12_000, 0)
  // Then 10 % leave and others come, in another order.
  const second = [...first.filter((_, i) => i % 10 !== 3), ...crowd(1_500, 50_000)].reverse()
  const snapshots = [first, second]

  for (const withWebhooks of [false, true]) {
    it(`the same joins in the same order, the same leaves and counts${withWebhooks ? ', webhooks arriving meanwhile' : ''}`, async () => {
      const webhooksAt = (turn: number): string | null =>
        withWebhooks && turn % 3 === 1 ? (first[(turn * 389) % first.length] as string) : null
      const listed = await run(snapshots, {}, webhooksAt)
      const lazy = await run(snapshots, { lazyJoins: true }, webhooksAt)
      for (const [index, { result: expected }] of listed.results.entries()) {
        const got = lazy.results[index] as Read
        expect(got.result.joins).toEqual([])
        expect(got.result.joinedMembers).toBeDefined()
        expect(got.joins).toEqual(expected.joins)
        expect(got.joinCount).toBe(expected.joins.length)
        expect(got.result.leaves).toEqual(expected.leaves)
        expect(got.result.leaveCount).toBe(expected.leaveCount)
        expect(got.result.rooms).toEqual(expected.rooms)
        expect(got.result.total).toBe(expected.total)
        expect(got.last500).toEqual(expected.joins.slice(-500))
        expect(got.last3).toEqual(expected.joins.slice(-3))
      }
      expect(listed.results[0]?.joins.length).toBeGreaterThan(10_000)
      expect(listed.results[1]?.result.leaves.length).toBeGreaterThan(1000)
      expect(lazy.state.memberCount()).toBe(listed.state.memberCount())
    }, 60_000)
  }

  it('knows who is among the joins: room, group and user must all match', async () => {
    const state = new PresenceState(compileConvention(WITH_GROUPS))
    await state.ingestChannelList(list(['private-hall-red-ann', 'private-hall-blue-bob']), 1000)
    const result = await state.ingestChannelList(
      list(['private-hall-red-ann', 'private-hall-blue-bob', 'private-hall-red-cat', 'private-yard-red-ann']),
      2000,
      { lazyJoins: true },
    )
    const joined = result.joinedMembers
    if (!joined) throw new Error('no lazy joins')
    expect(joined.count).toBe(2)
    expect(joined.has('hall', 'red', 'cat')).toBe(true)
    expect(joined.has('yard', 'red', 'ann')).toBe(true)
    // Present, but since before this snapshot.
    expect(joined.has('hall', 'red', 'ann')).toBe(false)
    expect(joined.has('hall', 'blue', 'cat')).toBe(false)
    expect(joined.has('hall', null, 'cat')).toBe(false)
    expect(joined.has('hall', 'red', 'ca')).toBe(false)
    expect(joined.has('nowhere', 'red', 'cat')).toBe(false)
    expect(joined.has('hall', 'red', 'c\u0101t')).toBe(false)
  })

  it('lists no one twice and no one made present again by a later snapshot', async () => {
    const state = new PresenceState(compileConvention(WITH_GROUPS))
    const first = await state.ingestChannelList(list(['private-a-red-x', 'private-a-red-y']), 1000, {
      lazyJoins: true,
    })
    await state.ingestChannelList(list(['private-a-red-y']), 2000)
    await state.ingestChannelList(list(['private-a-red-x', 'private-a-red-y']), 3000)
    const read: Member[] = [...joinsOf(first)]
    expect(read).toEqual([{ room: 'a', group: 'red', user: 'y' }])
    expect(first.joinedMembers?.has('a', 'red', 'x')).toBe(false)
  })
})
