import { Population, STREAM, type PopulationOptions } from './population.ts'
import { Random } from './random.ts'

export interface CrowdOptions extends Omit<PopulationOptions, 'users'> {
  /** How many people are present at once; churn keeps the crowd around this size. */
  size: number
  /** Share of the present crowd replaced per minute, 0 to 1 (default 0: nobody comes or goes). */
  churn?: number
  /** Extra users, as a share of `size`, waiting outside to arrive (default 0.25). */
  reserve?: number
}

/** Who arrived and who left in one step, as user numbers of the crowd's population. */
export interface CrowdChange {
  readonly joined: Uint32Array
  readonly left: Uint32Array
}

const MINUTE_MS = 60_000

/**
 * Who is present, over time. The population is a permutation of user numbers split in two: the first
 * `present` positions are in their rooms, the rest are outside. Arrivals and departures are swaps, so a
 * step costs O(changes) whatever the crowd size. Time advances only when `advance` is called, which lets
 * tests step the clock and makes a seed replay the same sequence for the same steps.
 */
export class Crowd {
  readonly population: Population
  readonly target: number
  readonly churn: number
  readonly #order: Uint32Array
  readonly #position: Uint32Array
  readonly #random: Random
  #present: number
  #elapsedMs = 0

  constructor(options: CrowdOptions) {
    const { size, churn = 0, reserve = 0.25, ...rest } = options
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`crowd size must be a whole number, got ${size}`)
    if (!(churn >= 0 && churn <= 1)) throw new RangeError(`churn must be from 0 to 1 per minute, got ${churn}`)
    if (!(reserve >= 0 && reserve <= 10)) throw new RangeError(`reserve must be from 0 to 10, got ${reserve}`)
    const users = size === 0 ? 0 : size + Math.max(1, Math.ceil(size * reserve))
    this.population = new Population({ ...rest, users })
    this.target = size
    this.churn = churn
    this.#order = new Uint32Array(users)
    this.#position = new Uint32Array(users)
    for (let u = 0; u < users; u++) {
      this.#order[u] = u
      this.#position[u] = u
    }
    // A partial Fisher-Yates shuffle picks who is present at the start.
    const start = new Random(rest.seed, STREAM.presence)
    for (let i = 0; i < size; i++) this.#swap(i, i + start.int(users - i))
    this.#present = size
    this.#random = new Random(rest.seed, STREAM.churn)
  }

  get present(): number {
    return this.#present
  }

  get elapsedMs(): number {
    return this.#elapsedMs
  }

  isPresent(user: number): boolean {
    return (this.#position[user] as number) < this.#present
  }

  /** The users present now, in no particular order (a copy). */
  presentUsers(): Uint32Array {
    return this.#order.slice(0, this.#present)
  }

  /** Present people per room index (a fresh array). */
  roomCounts(): Uint32Array {
    const counts = new Uint32Array(this.population.rooms)
    const homeRoom = this.population.homeRoom
    for (let i = 0; i < this.#present; i++) counts[homeRoom[this.#order[i] as number] as number]!++
    return counts
  }

  /**
   * Moves the clock on by `ms` and returns who came and went. Departures are a `churn` share of those
   * present per minute and arrivals the same share of the target, so the crowd drifts back towards its
   * target whenever chance takes it away. Nobody both leaves and arrives in one step.
   */
  advance(ms: number): CrowdChange {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance needs a duration of 0 ms or more, got ${ms}`)
    this.#elapsedMs += ms
    const users = this.population.size
    if (this.churn === 0 || users === 0 || ms === 0) return { joined: new Uint32Array(0), left: new Uint32Array(0) }
    const minutes = ms / MINUTE_MS
    const random = this.#random
    const leaving = Math.min(this.#present, random.round(this.churn * this.#present * minutes))
    const arriving = Math.min(users - this.#present, random.round(this.churn * this.target * minutes))

    // Choose the leavers first (a partial shuffle of the present block) but remove them last, so the
    // arrivals are drawn only from people who were already outside.
    const present = this.#present
    for (let i = 0; i < leaving; i++) this.#swap(i, i + random.int(present - i))
    const left = this.#order.slice(0, leaving)

    const joined = new Uint32Array(arriving)
    for (let k = 0; k < arriving; k++) {
      this.#swap(this.#present, this.#present + random.int(users - this.#present))
      joined[k] = this.#order[this.#present] as number
      this.#present++
    }
    for (const user of left) {
      this.#swap(this.#position[user] as number, this.#present - 1)
      this.#present--
    }
    return { joined, left }
  }

  #swap(i: number, j: number): void {
    const order = this.#order
    const a = order[i] as number
    const b = order[j] as number
    order[i] = b
    order[j] = a
    this.#position[b] = i
    this.#position[a] = j
  }
}
