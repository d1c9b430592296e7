// The channel each room's summary goes to, under the room channel template: worked out once per room,
// with why Pusher would refuse it (a refused channel is never sent to), and the subscriber counts the
// server reported for it (with `countSubscribers`), which price what a summary there costs.
import { isCacheChannelName } from '../../shared/broadcast.ts'
import { channelNameProblem, fillChannelTemplate } from '../../shared/channel-names.ts'

export interface RoomChannel {
  channel: string
  /** Why Pusher would refuse the channel's name; null: valid. */
  problem: string | null
}

export class RoomChannels {
  private template: string
  private byRoom = new Map<string, RoomChannel>()
  /** Channels Pusher would refuse (room and roster channels), with why. */
  private readonly invalid = new Map<string, string>()
  private readonly reported = new Map<string, number>()
  private anyReported = false
  private cache: boolean

  constructor(template: string) {
    this.template = template
    this.cache = isCacheTemplate(template)
  }

  /** A new template: every room's channel is worked out again, and nothing reported of the old ones counts. */
  retarget(template: string): void {
    this.template = template
    this.byRoom = new Map()
    this.invalid.clear()
    this.reported.clear()
    this.cache = isCacheTemplate(template)
  }

  /** Whether the template makes cache channels (Pusher hands a newcomer the last event). */
  get cacheChannels(): boolean {
    return this.cache
  }

  of(room: string): RoomChannel {
    let known = this.byRoom.get(room)
    if (known === undefined) {
      const channel = fillChannelTemplate(this.template, { room })
      known = { channel, problem: channelNameProblem(channel) }
      if (known.problem !== null) this.invalid.set(channel, known.problem)
      this.byRoom.set(room, known)
    }
    return known
  }

  /** Records another channel (a roster's) Pusher would refuse. */
  refused(channel: string, problem: string): void {
    this.invalid.set(channel, problem)
  }

  /** The subscriber count the server reported for a channel. */
  report(channel: string, subscribers: number): void {
    this.reported.set(channel, subscribers)
    this.anyReported = true
  }

  /** Whether the server ever reported a subscriber count (since this broadcaster started). */
  get subscribersReported(): boolean {
    return this.anyReported
  }

  /** Subscribers a summary to the room reaches: its participants, or more if the server said so. */
  subscribersOf(channel: string, participants: number): number {
    const reported = this.reported.get(channel)
    return reported === undefined ? participants : Math.max(participants, reported)
  }

  /** How many channels Pusher would refuse, and the first few with why. */
  refusedChannels(examples: number): { count: number; examples: Array<{ channel: string; reason: string }> } {
    return {
      count: this.invalid.size,
      examples: [...this.invalid].slice(0, examples).map(([channel, reason]) => ({ channel, reason })),
    }
  }
}

function isCacheTemplate(template: string): boolean {
  return isCacheChannelName(fillChannelTemplate(template, { room: 'room' }))
}
