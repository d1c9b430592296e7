import type { Crowd, CrowdChange } from './crowd.ts'
import { DEFAULT_ROOM_CHANNEL, RoomChannels } from './room-channel.ts'

export interface InjectedMember {
  channel: string
  userId?: string
  userInfo?: unknown
}

/** What the injected driver needs from the emulator; its `RunningEmulator` fits this shape. */
export interface InjectionTarget<Handle> {
  inject(channel: string, member?: { userId?: string; userInfo?: unknown }): Handle
  removeInjected(handle: Handle): void
  injectMany(entries: Iterable<InjectedMember>): Handle[]
}

export interface InjectedDriverOptions {
  /**
   * The room channel every connection also subscribes to, a template with `{room}` (`{room}`,
   * `private-{room}`, `cache-{room}`, …), so a broadcast to a room reaches, and is counted for, every
   * member; null for none. Default `{room}`.
   */
  roomChannel?: string | null
}

/**
 * Puts a crowd into the emulator as injected members (no sockets), for crowds of up to a million: each
 * connection is a member of its user channel and of its room channel. It keeps only the emulator's
 * handles per connection, indexed by user number, and builds channel names lazily while the emulator
 * consumes them.
 */
export class InjectedCrowdDriver<Handle> {
  readonly crowd: Crowd
  /** The room channels, or null when members subscribe to their own channel only. */
  readonly roomChannels: RoomChannels | null
  readonly #target: InjectionTarget<Handle>
  /** Handles of each user's first connection, then of second devices; sparse, indexed by user number. */
  readonly #first: (Handle | undefined)[]
  readonly #second: (Handle | undefined)[]
  /** The same connections' room channel subscriptions. */
  readonly #firstRoom: (Handle | undefined)[]
  readonly #secondRoom: (Handle | undefined)[]
  #connections = 0

  constructor(crowd: Crowd, target: InjectionTarget<Handle>, options: InjectedDriverOptions = {}) {
    this.crowd = crowd
    this.#target = target
    const population = crowd.population
    const template = options.roomChannel === undefined ? DEFAULT_ROOM_CHANNEL : options.roomChannel
    this.roomChannels =
      template === null ? null : new RoomChannels(template, population.rooms, (room) => population.roomId(room))
    this.#first = new Array<Handle | undefined>(population.size)
    this.#second = new Array<Handle | undefined>(population.size)
    const rooms = this.roomChannels === null ? 0 : population.size
    this.#firstRoom = new Array<Handle | undefined>(rooms)
    this.#secondRoom = new Array<Handle | undefined>(rooms)
  }

  /** Injected connections now held (a user on two devices counts twice). */
  get connections(): number {
    return this.#connections
  }

  /** The room channel of a room index, or null when members have none. */
  roomChannel(room: number): string | null {
    return this.roomChannels?.name(room) ?? null
  }

  /** Injects everyone the crowd has present; returns the number of connections made. */
  populate(): number {
    return this.#join(this.crowd.presentUsers())
  }

  /** Advances the crowd's clock and applies who came and went. */
  advance(ms: number): CrowdChange {
    const change = this.crowd.advance(ms)
    this.apply(change)
    return change
  }

  apply(change: CrowdChange): void {
    for (const user of change.left) this.#leave(user)
    this.#join(change.joined)
  }

  /** Removes every injected member this driver added. */
  clear(): void {
    for (let user = 0; user < this.#first.length; user++) this.#leave(user)
  }

  #join(users: Uint32Array): number {
    const population = this.crowd.population
    const first = this.#first
    const fresh = users.filter((user) => first[user] === undefined)
    if (fresh.length === 0) return 0
    const rooms = this.roomChannels
    const own = function* (subset: Uint32Array): Generator<InjectedMember> {
      for (const user of subset) yield { channel: population.channel(user), userId: population.userId(user) }
    }
    // The user id goes with the room subscription too: terminate_connections then removes both, and a
    // presence room channel needs it.
    const room = function* (subset: Uint32Array, channels: RoomChannels): Generator<InjectedMember> {
      for (const user of subset) {
        yield { channel: channels.name(population.homeRoom[user] as number), userId: population.userId(user) }
      }
    }
    // The emulator returns handles in entry order, so position i belongs to subset[i]; second devices and
    // room channels go in calls of their own, which keeps that mapping trivial.
    const inject = (subset: Uint32Array, handles: (Handle | undefined)[], roomHandles: (Handle | undefined)[]) => {
      const made = this.#target.injectMany(own(subset))
      subset.forEach((user, i) => (handles[user] = made[i]))
      if (rooms !== null) {
        const madeRoom = this.#target.injectMany(room(subset, rooms))
        subset.forEach((user, i) => (roomHandles[user] = madeRoom[i]))
      }
      return made.length
    }
    let added = inject(fresh, first, this.#firstRoom)
    const twoDevices = fresh.filter((user) => population.devices[user] === 2)
    if (twoDevices.length > 0) added += inject(twoDevices, this.#second, this.#secondRoom)
    this.#connections += added
    return added
  }

  #leave(user: number): void {
    if (this.#remove(this.#first, user)) this.#connections--
    if (this.#remove(this.#second, user)) this.#connections--
    this.#remove(this.#firstRoom, user)
    this.#remove(this.#secondRoom, user)
  }

  #remove(handles: (Handle | undefined)[], user: number): boolean {
    const handle = handles[user]
    if (handle === undefined) return false
    this.#target.removeInjected(handle)
    handles[user] = undefined
    return true
  }
}
