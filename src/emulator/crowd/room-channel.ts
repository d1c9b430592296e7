import { channelTemplateProblem, fillChannelTemplate } from '../../shared/channel-names.ts'

/**
 * The room channel each member of a simulated crowd subscribes to besides their own, as the pattern
 * prescribes: the channel the broadcaster publishes the room's count to. A template with `{room}`; the
 * default matches the broadcaster's default channel template, and is public, so it never shows in
 * `GET /channels?filter_by_prefix=private-` (a `private-{room}` channel would, and Headcount would count
 * it as unmatched: a channel, not a person).
 */
export const DEFAULT_ROOM_CHANNEL = '{room}'

/** Why a room channel template can't be used, or null. */
export function roomChannelProblem(template: string): string | null {
  return channelTemplateProblem(template, ['room'], ['room'])
}

/** Room channel names by room index, made once each on first use. */
export class RoomChannels {
  readonly template: string
  readonly #names: (string | undefined)[]
  readonly #roomId: (room: number) => string

  constructor(template: string, rooms: number, roomId: (room: number) => string) {
    const problem = roomChannelProblem(template)
    if (problem !== null) throw new RangeError(`room channel template "${template}": ${problem}`)
    this.template = template
    this.#names = new Array<string | undefined>(rooms)
    this.#roomId = roomId
  }

  /** Whether members need a user id there (presence channels list members by user id). */
  get presence(): boolean {
    return this.template.startsWith('presence-')
  }

  name(room: number): string {
    let name = this.#names[room]
    if (name === undefined) {
      name = fillChannelTemplate(this.template, { room: this.#roomId(room) })
      this.#names[room] = name
    }
    return name
  }
}
