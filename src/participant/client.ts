import { channelNameProblem, channelTemplateProblem, fillChannelTemplate } from '../shared/channel-names.ts'
import { Assembly } from './assembly.ts'
import { checkRoster, checkSummary } from './payload.ts'

/**
 * The participant's half of the pattern: join a room by subscribing to your own channel (which is how
 * Headcount counts you) and to the room's channel (where it publishes the count), and follow what the
 * broadcaster sends: the count and groups of the room, and your friends there. Works with any pusher-js
 * instance the caller made (browser or Node), so this module depends on nothing at run time.
 */

/** The part of a pusher-js channel this client uses. */
export interface ChannelLike {
  bind(eventName: string, callback: (data: unknown) => void): unknown
  unbind(eventName?: string, callback?: (data: unknown) => void): unknown
}

/** The part of a pusher-js `Pusher` this client uses; a pusher-js instance fits. */
export interface PusherLike {
  subscribe(channelName: string): ChannelLike
  unsubscribe(channelName: string): void
}

export interface JoinOptions {
  /** A pusher-js client, set up with your app's channel authorization endpoint. */
  pusher: PusherLike
  room: string
  /** Your user id, as your app's authorizer knows you. */
  user: string
  /** Your subgroup in the room, when the naming convention has one. */
  group?: string | null
  /**
   * Your own channel, from `{room}`, `{user}` and `{group}`: the naming convention Headcount watches.
   * Default `private-{room}-{user}`, or `private-{room}-{group}-{user}` when a group is given.
   */
  userChannel?: string
  /** The room's channel, where the broadcaster publishes summaries: `{room}` by default, as the broadcaster's. */
  roomChannel?: string
  /** Event name of room summaries (the broadcaster's `eventName`); default `occupancy`. */
  summaryEvent?: string
  /** Event name of friend rosters (the broadcaster's `friends.eventName`); default `friends`. */
  rosterEvent?: string
}

export type ParticipantStatus =
  /** Subscribing to the two channels. */
  | 'joining'
  /** Both subscriptions accepted: you are counted and you hear the room. */
  | 'joined'
  /** A subscription was refused (see `error`). */
  | 'failed'
  /** `leave()` was called. */
  | 'left'

export interface ParticipantState {
  readonly room: string
  readonly user: string
  readonly group: string | null
  readonly userChannel: string
  readonly roomChannel: string
  readonly status: ParticipantStatus
  /** Why the join failed, in words; null otherwise. */
  readonly error: string | null
  /** Your own channel is subscribed: Headcount counts you (from its next sync). */
  readonly counted: boolean
  /** The room channel is subscribed: summaries reach you. */
  readonly listening: boolean
  /** People in the room, from the newest summary; null until one arrives. */
  readonly count: number | null
  /** The count is rounded to `precision` significant figures (show it as such: `formatCount`). */
  readonly approx: boolean
  readonly precision: number | null
  /** When the broadcaster last saw the room as summarised (ms since epoch), or null. */
  readonly summaryTs: number | null
  /**
   * Per-subgroup counts, from the newest summary whose parts have all arrived; before any has, what
   * has arrived of the newest (then `groupsComplete` is false).
   */
  readonly groups: Readonly<Record<string, number>>
  readonly groupsComplete: boolean
  /** Groups the broadcaster left out to keep within Pusher's limits (the smallest ones). */
  readonly omittedGroups: number
  /** The room channel is a cache channel with no summary in it yet (`pusher:cache_miss`). */
  readonly cacheMiss: boolean
  /** Your friends in the room, sorted; null until a roster arrives. */
  readonly friends: readonly string[] | null
  readonly friendsComplete: boolean
  /** The roster was cut to keep within Pusher's limits. */
  readonly friendsTruncated: boolean
  readonly rosterTs: number | null
  /** Events ignored (malformed, for another room or user, older than one already heard), and the last reason. */
  readonly ignored: { readonly count: number; readonly last: string | null }
}

export type Listener = (state: ParticipantState) => void

type Change = { -readonly [K in keyof ParticipantState]?: ParticipantState[K] }

export class ParticipantError extends Error {
  override name = 'ParticipantError'
}

interface SubscriptionError {
  type?: unknown
  error?: unknown
  status?: unknown
}

function describeSubscriptionError(channel: string, raw: unknown): string {
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as SubscriptionError
  const status = typeof error.status === 'number' ? ` (status ${error.status})` : ''
  const detail = typeof error.error === 'string' && error.error !== '' ? `: ${error.error}` : ''
  return `Subscribing to ${channel} was refused${status}${detail}`
}

function channelFrom(
  template: string,
  what: string,
  allowed: Array<'room' | 'user' | 'group'>,
  required: Array<'room' | 'user' | 'group'>,
  parts: { room: string; user: string; group: string | null },
): string {
  const problem = channelTemplateProblem(template, allowed, required)
  if (problem !== null) throw new ParticipantError(`${what} template "${template}": ${problem}`)
  if (template.includes('{group}') && parts.group === null) {
    throw new ParticipantError(`${what} template "${template}" has a {group}: give the group`)
  }
  const name = fillChannelTemplate(template, parts)
  const nameProblem = channelNameProblem(name)
  if (nameProblem !== null) throw new ParticipantError(`${what} for this room and user: ${nameProblem}`)
  return name
}

/** A participant in one room: its state, and listeners told of every change. */
export class Participant {
  #state: ParticipantState
  readonly #pusher: PusherLike
  readonly #listeners = new Set<Listener>()
  readonly #unbind: Array<() => void> = []
  readonly #summaries = new Assembly<{ groups: Record<string, number>; omittedGroups: number }>()
  readonly #rosters = new Assembly<string[]>()
  /** The ts of the newest summary whose parts all arrived, and of the newest complete roster. */
  #completeGroupsTs: number | null = null
  #completeRosterTs: number | null = null

  constructor(options: JoinOptions) {
    const group = options.group ?? null
    const parts = { room: options.room, user: options.user, group }
    const userChannel = channelFrom(
      options.userChannel ?? (group === null ? 'private-{room}-{user}' : 'private-{room}-{group}-{user}'),
      'The user channel',
      ['room', 'user', 'group'],
      ['room', 'user'],
      parts,
    )
    const roomChannel = channelFrom(options.roomChannel ?? '{room}', 'The room channel', ['room'], ['room'], parts)
    if (roomChannel === userChannel)
      throw new ParticipantError(`The room channel and the user channel are both ${roomChannel}`)
    this.#pusher = options.pusher
    this.#state = {
      room: options.room,
      user: options.user,
      group,
      userChannel,
      roomChannel,
      status: 'joining',
      error: null,
      counted: false,
      listening: false,
      count: null,
      approx: false,
      precision: null,
      summaryTs: null,
      groups: {},
      groupsComplete: false,
      omittedGroups: 0,
      cacheMiss: false,
      friends: null,
      friendsComplete: false,
      friendsTruncated: false,
      rosterTs: null,
      ignored: { count: 0, last: null },
    }
    const summaryEvent = options.summaryEvent ?? 'occupancy'
    const rosterEvent = options.rosterEvent ?? 'friends'
    const own = this.#pusher.subscribe(userChannel)
    const room = this.#pusher.subscribe(roomChannel)
    this.#on(own, 'pusher:subscription_succeeded', () => this.#subscribed('counted'))
    this.#on(own, 'pusher:subscription_error', (error) => this.#refused(userChannel, error))
    this.#on(own, rosterEvent, (data) => this.#roster(data))
    this.#on(room, 'pusher:subscription_succeeded', () => this.#subscribed('listening'))
    this.#on(room, 'pusher:subscription_error', (error) => this.#refused(roomChannel, error))
    this.#on(room, 'pusher:cache_miss', () => {
      if (this.#state.count === null) this.#update({ cacheMiss: true })
    })
    this.#on(room, summaryEvent, (data) => this.#summary(data))
  }

  get state(): ParticipantState {
    return this.#state
  }

  /** Calls `listener` with the state now and after every change; returns the way to stop. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    listener(this.#state)
    return () => this.#listeners.delete(listener)
  }

  /** Leaves the room: unsubscribes both channels (Headcount stops counting you at its next sync). */
  leave(): void {
    if (this.#state.status === 'left') return
    for (const unbind of this.#unbind.splice(0)) unbind()
    this.#pusher.unsubscribe(this.#state.userChannel)
    this.#pusher.unsubscribe(this.#state.roomChannel)
    this.#update({ status: 'left', counted: false, listening: false })
    this.#listeners.clear()
  }

  #on(channel: ChannelLike, event: string, handler: (data: unknown) => void): void {
    channel.bind(event, handler)
    this.#unbind.push(() => channel.unbind(event, handler))
  }

  #update(change: Change): void {
    this.#state = { ...this.#state, ...change }
    for (const listener of [...this.#listeners]) listener(this.#state)
  }

  #ignore(reason: string): void {
    this.#update({ ignored: { count: this.#state.ignored.count + 1, last: reason } })
  }

  #subscribed(which: 'counted' | 'listening'): void {
    const counted = which === 'counted' || this.#state.counted
    const listening = which === 'listening' || this.#state.listening
    const status = this.#state.status === 'joining' && counted && listening ? 'joined' : this.#state.status
    this.#update({ counted, listening, status })
  }

  #refused(channel: string, error: unknown): void {
    this.#update({ status: 'failed', error: describeSubscriptionError(channel, error) })
  }

  #summary(data: unknown): void {
    const checked = checkSummary(data, this.#state.room)
    if (!checked.ok) return this.#ignore(`summary ignored: ${checked.reason}`)
    const summary = checked.value
    const offer = this.#summaries.offer(summary.ts, summary.part, summary.parts, {
      groups: summary.groups,
      omittedGroups: summary.omittedGroups ?? 0,
    })
    if (offer.kind === 'stale') {
      return this.#ignore(`summary ignored: ts ${summary.ts} is older than ${this.#summaries.ts} already heard`)
    }
    const change: Change = {
      count: summary.count,
      approx: summary.approx === true,
      precision: summary.approx === true ? (summary.precision ?? null) : null,
      summaryTs: summary.ts,
      cacheMiss: false,
    }
    if (offer.complete !== null) {
      change.groups = Object.fromEntries(offer.complete.flatMap((piece) => Object.entries(piece.groups)))
      change.groupsComplete = true
      change.omittedGroups = summary.omittedGroups ?? 0
      this.#completeGroupsTs = summary.ts
    } else if (this.#completeGroupsTs === null) {
      // Nothing complete yet (joined mid-split, or a cache channel kept only the last part): show what came.
      change.groups = Object.fromEntries(this.#summaries.partial.flatMap((piece) => Object.entries(piece.groups)))
      change.groupsComplete = false
      change.omittedGroups = summary.omittedGroups ?? 0
    }
    this.#update(change)
  }

  #roster(data: unknown): void {
    const checked = checkRoster(data, this.#state.room, this.#state.user)
    if (!checked.ok) return this.#ignore(`roster ignored: ${checked.reason}`)
    const roster = checked.value
    const offer = this.#rosters.offer(roster.ts, roster.page, roster.pages, roster.friends)
    if (offer.kind === 'stale') {
      return this.#ignore(`roster ignored: ts ${roster.ts} is older than ${this.#rosters.ts} already heard`)
    }
    if (offer.complete === null) {
      // Pages of a roster arrive together; until the last does, the previous complete roster stands.
      if (this.#completeRosterTs !== null) return
      this.#update({ friends: this.#rosters.partial.flat(), friendsComplete: false, rosterTs: roster.ts })
      return
    }
    this.#completeRosterTs = roster.ts
    this.#update({
      friends: offer.complete.flat(),
      friendsComplete: true,
      friendsTruncated: roster.truncated === true,
      rosterTs: roster.ts,
    })
  }
}

/** Joins a room: subscribes to your own channel and the room's, and follows the room from there. */
export function joinRoom(options: JoinOptions): Participant {
  return new Participant(options)
}
