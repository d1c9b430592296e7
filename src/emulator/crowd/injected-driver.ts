import type { Crowd, CrowdChange } from './crowd.ts'

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

/**
 * Puts a crowd into the emulator as injected members (no sockets), for crowds of up to a million.
 * It keeps only the emulator's handle per connection, indexed by user number, and builds channel names
 * lazily while the emulator consumes them.
 */
export class InjectedCrowdDriver<Handle> {
  readonly crowd: Crowd
  readonly #target: InjectionTarget<Handle>
  /** Handles of each user's first connection, then of second devices; sparse, indexed by user number. */
  readonly #first: (Handle | undefined)[]
  readonly #second: (Handle | undefined)[]
  #connections = 0

  constructor(crowd: Crowd, target: InjectionTarget<Handle>) {
    this.crowd = crowd
    this.#target = target
    this.#first = new Array<Handle | undefined>(crowd.population.size)
    this.#second = new Array<Handle | undefined>(crowd.population.size)
  }

  /** Injected connections now held (a user on two devices counts twice). */
  get connections(): number {
    return this.#connections
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
    const entries = function* (subset: Uint32Array): Generator<InjectedMember> {
      for (const user of subset) yield { channel: population.channel(user), userId: population.userId(user) }
    }
    // The emulator returns handles in entry order, so position i belongs to subset[i]; second devices go
    // in a second call, which keeps that mapping trivial.
    const firstHandles = this.#target.injectMany(entries(fresh))
    fresh.forEach((user, i) => (first[user] = firstHandles[i]))
    let added = firstHandles.length
    const twoDevices = fresh.filter((user) => population.devices[user] === 2)
    if (twoDevices.length > 0) {
      const secondHandles = this.#target.injectMany(entries(twoDevices))
      twoDevices.forEach((user, i) => (this.#second[user] = secondHandles[i]))
      added += secondHandles.length
    }
    this.#connections += added
    return added
  }

  #leave(user: number): void {
    this.#remove(this.#first, user)
    this.#remove(this.#second, user)
  }

  #remove(handles: (Handle | undefined)[], user: number): void {
    const handle = handles[user]
    if (handle === undefined) return
    this.#target.removeInjected(handle)
    handles[user] = undefined
    this.#connections--
  }
}
