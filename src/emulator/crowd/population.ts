import { channelName, groupNamesProblem, roomId, userId, userIdWidth } from './naming.ts'
import { Random } from './random.ts'
import { ZipfSampler } from './zipf.ts'

export const DEFAULT_ROOM_SKEW = 1.1
export const MAX_ROOMS = 1_000_000
export const MAX_POPULATION = 10_000_000

export interface PopulationOptions {
  /** Everyone who may ever be present (the crowd plus those waiting to arrive). */
  users: number
  rooms: number
  /** Subgroup names; members get one each. Omit for channels without a group segment. */
  groups?: readonly string[]
  /** Zipf exponent of room popularity (default 1.1); 0 spreads people evenly. */
  roomSkew?: number
  /** Zipf exponent of group sizes (default 0: groups equally likely). */
  groupSkew?: number
  /** Share of users who connect from two devices at once, 0 to 1 (default 0). */
  twoDeviceShare?: number
  seed: number
}

/** Independent random streams drawn from one seed, so adding one feature never reshuffles another. */
export const STREAM = { rooms: 1, groups: 2, devices: 3, presence: 4, churn: 5, friends: 6 } as const

/**
 * Who the users are: each user's home room, group and device count, held in typed arrays (a few bytes
 * per user) because a million small objects would cost far more memory and garbage-collector time.
 * Users are numbered 0..users-1; names are made on demand.
 */
export class Population {
  readonly size: number
  readonly rooms: number
  readonly groups: readonly string[] | undefined
  readonly homeRoom: Uint32Array
  /** Index into `groups`; all zeros when there are no groups. */
  readonly group: Uint8Array
  /** 1 or 2 connections per user. */
  readonly devices: Uint8Array
  readonly #idWidth: number

  constructor(options: PopulationOptions) {
    const { users, rooms, groups, roomSkew = DEFAULT_ROOM_SKEW, groupSkew = 0, twoDeviceShare = 0, seed } = options
    if (!Number.isInteger(users) || users < 0 || users > MAX_POPULATION)
      throw new RangeError(`users must be an integer from 0 to ${MAX_POPULATION}, got ${users}`)
    if (!Number.isInteger(rooms) || rooms < 1 || rooms > MAX_ROOMS)
      throw new RangeError(`rooms must be an integer from 1 to ${MAX_ROOMS}, got ${rooms}`)
    if (!(twoDeviceShare >= 0 && twoDeviceShare <= 1))
      throw new RangeError(`twoDeviceShare must be from 0 to 1, got ${twoDeviceShare}`)
    if (groups !== undefined) {
      const problem = groupNamesProblem(groups)
      if (problem) throw new RangeError(problem)
    }
    this.size = users
    this.rooms = rooms
    this.groups = groups === undefined ? undefined : [...groups]
    this.#idWidth = userIdWidth(users)

    const roomSampler = new ZipfSampler(rooms, roomSkew)
    const roomRandom = new Random(seed, STREAM.rooms)
    this.homeRoom = new Uint32Array(users)
    for (let u = 0; u < users; u++) this.homeRoom[u] = roomSampler.sample(roomRandom)

    this.group = new Uint8Array(users)
    if (groups !== undefined && groups.length > 1) {
      const groupSampler = new ZipfSampler(groups.length, groupSkew)
      const groupRandom = new Random(seed, STREAM.groups)
      for (let u = 0; u < users; u++) this.group[u] = groupSampler.sample(groupRandom)
    }

    this.devices = new Uint8Array(users).fill(1)
    if (twoDeviceShare > 0) {
      const deviceRandom = new Random(seed, STREAM.devices)
      for (let u = 0; u < users; u++) if (deviceRandom.next() < twoDeviceShare) this.devices[u] = 2
    }
  }

  userId(user: number): string {
    return userId(user, this.#idWidth)
  }

  roomId(room: number): string {
    return roomId(room)
  }

  groupOf(user: number): string | undefined {
    return this.groups?.[this.group[user] as number]
  }

  roomOf(user: number): string {
    return roomId(this.homeRoom[user] as number)
  }

  /** The channel whose existence says "this user is in their room". */
  channel(user: number): string {
    return channelName(this.roomOf(user), this.groupOf(user), this.userId(user))
  }
}
