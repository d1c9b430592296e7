import { describe, expect, it } from 'vitest'
import { compileConvention, DEFAULT_CONVENTION } from '../shared/naming.ts'
import { conventionImpact } from './convention-impact.ts'
import { IngestAbortedError } from './presence/errors.ts'
import { PresenceState } from './presence/presence-state.ts'

const encoder = new TextEncoder()
const list = (names: string[]): Uint8Array =>
  encoder.encode(`{"channels":{${names.map((name) => `${JSON.stringify(name)}:{}`).join(',')}}}`)

const grouped = compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' })

async function liveState(names: string[]): Promise<PresenceState> {
  const state = new PresenceState(compileConvention(DEFAULT_CONVENTION))
  await state.ingestChannelList(list(names), 1000)
  return state
}

describe('conventionImpact', () => {
  it('counts the channels present now that another convention reads as someone else, or no longer', async () => {
    // Two-part names are no one under the grouped template, three-part ones gain a group, and a channel
    // outside both prefixes stays no one.
    const state = await liveState([
      'private-a-ann',
      'private-a-bob',
      'private-b-red-cy',
      'private-b-blue-di',
      'presence-lobby',
    ])
    const impact = await conventionImpact(
      (visit) => state.forEachPresentChannel(visit),
      state.namingConvention,
      grouped,
    )
    expect(impact.channels).toBe(5)
    expect(impact.changed).toBe(4)
    const byChannel = new Map(impact.examples.map((example) => [example.channel, example]))
    expect(byChannel.get('private-b-red-cy')).toEqual({
      channel: 'private-b-red-cy',
      before: { room: 'b', group: null, user: 'red-cy' },
      after: { room: 'b', group: 'red', user: 'cy' },
    })
    expect(byChannel.has('presence-lobby')).toBe(false)
  })

  it('finds nothing to change when the new convention reads every channel the same', async () => {
    const state = await liveState(['private-a-ann', 'private-b-bob'])
    const same = compileConvention({ kind: 'template', template: 'private-{room}-{user}' })
    const impact = await conventionImpact((visit) => state.forEachPresentChannel(visit), state.namingConvention, same)
    expect(impact).toEqual({ channels: 2, changed: 0, examples: [] })
  })

  it('gives at most a few examples of a large change', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `private-r-g${i}-u${i}`)
    const state = await liveState(names)
    const impact = await conventionImpact(
      (visit) => state.forEachPresentChannel(visit),
      state.namingConvention,
      grouped,
    )
    expect(impact.changed).toBe(40)
    expect(impact.examples.length).toBeLessThanOrEqual(5)
    expect(impact.examples.length).toBeGreaterThan(0)
  })

  it('gives up when the channels are cleared while being compared', async () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `private-r-u${i}`)
    const state = new PresenceState(compileConvention(DEFAULT_CONVENTION), { sliceMs: 0 })
    await state.ingestChannelList(list(names), 1000)
    const walk = state.forEachPresentChannel(() => {})
    state.clear()
    await expect(walk).rejects.toBeInstanceOf(IngestAbortedError)
  })
})
