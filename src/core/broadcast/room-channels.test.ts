import { describe, expect, it } from 'vitest'
import { RoomChannels } from './room-channels.ts'

describe('RoomChannels', () => {
  it('fills the template once per room and keeps why Pusher would refuse a name', () => {
    const channels = new RoomChannels('private-{room}')
    expect(channels.of('lobby')).toEqual({ channel: 'private-lobby', problem: null })
    expect(channels.of('lobby')).toBe(channels.of('lobby'))
    const refused = channels.of('bad room')
    expect(refused.channel).toBe('private-bad room')
    expect(refused.problem).toMatch(/\S/)
    channels.refused('private-lobby-ann-', 'the user has no group')
    expect(channels.refusedChannels(5)).toEqual({
      count: 2,
      examples: [
        { channel: 'private-bad room', reason: refused.problem },
        { channel: 'private-lobby-ann-', reason: 'the user has no group' },
      ],
    })
    expect(channels.refusedChannels(1).examples).toHaveLength(1)
  })

  it('prices a channel at its participants, or at more subscribers when the server reported more', () => {
    const channels = new RoomChannels('{room}')
    expect(channels.subscribersReported).toBe(false)
    expect(channels.subscribersOf('lobby', 40)).toBe(40)
    channels.report('lobby', 55)
    expect(channels.subscribersReported).toBe(true)
    expect(channels.subscribersOf('lobby', 40)).toBe(55)
    expect(channels.subscribersOf('lobby', 70)).toBe(70)
  })

  it('forgets channels, refusals and reported counts for a new template, and tells cache channels', () => {
    const channels = new RoomChannels('{room}')
    expect(channels.cacheChannels).toBe(false)
    channels.of('bad room')
    channels.report('lobby', 55)
    channels.retarget('private-cache-{room}')
    expect(channels.cacheChannels).toBe(true)
    expect(channels.refusedChannels(5).count).toBe(0)
    expect(channels.subscribersOf('lobby', 40)).toBe(40)
    expect(channels.of('lobby').channel).toBe('private-cache-lobby')
    // That a count was ever reported is kept: the status says so for the connection.
    expect(channels.subscribersReported).toBe(true)
  })
})
