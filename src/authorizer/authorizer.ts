import type Pusher from 'pusher'
import { channelNameProblem, channelTemplateProblem, fillChannelTemplate } from '../shared/channel-names.ts'
import { type CompiledConvention, compileConvention, ConventionError } from '../shared/naming.ts'

/**
 * The app server's half of joining a room: it signs a participant's subscriptions, and only those that
 * are theirs. Headcount counts whoever holds `private-<room>-<user>`, so a server that signed any
 * channel asked for would let anyone be counted as anyone; this one signs the signed-in user's own
 * channel (read exactly as Headcount reads names) and the room channels, and refuses the rest, saying why.
 */

/** The part of the `pusher` server SDK the authorizer uses; a `new Pusher({...})` fits. */
export type ChannelSigner = Pick<Pusher, 'authorizeChannel'>

export interface AuthorizerOptions {
  /** The app's server SDK (`new Pusher({ appId, key, secret, … })`): it signs. */
  pusher: ChannelSigner
  /**
   * The naming convention's template, the one Headcount is set to: `private-{room}-{user}` by default, or
   * with `{group}`. Only templates: a regular-expression convention can't be filled in by a client.
   */
  userChannel?: string
  /**
   * The room channels participants may subscribe to, templates with `{room}`: `['{room}']` by default
   * (public: pusher-js asks for no signature). Private, cache and presence ones
   * (`private-{room}`, `private-cache-{room}`, `presence-{room}`) need listing here to be signed.
   */
  roomChannels?: readonly string[]
  /** Whether `user` may be in `room` (both channels); by default anyone may be in any room. */
  canJoin?: (user: string, room: string) => boolean | Promise<boolean>
  /**
   * The user's group in `room`, when the user channel has `{group}`: required then, so that nobody picks
   * their own group. Null or undefined: the user has no group there, and is refused.
   */
  groupOf?: (user: string, room: string) => string | null | undefined | Promise<string | null | undefined>
}

export interface AuthorizeRequest {
  /** The signed-in user, from the app's own session; null or undefined when nobody is signed in. */
  user: string | null | undefined
  /** `socket_id` and `channel_name` as pusher-js posts them (unchecked input). */
  socketId: unknown
  channelName: unknown
}

export type AuthorizeResult =
  | {
      ok: true
      status: 200
      /** What pusher-js expects back, as JSON: `{auth}` (and `channel_data` on presence channels). */
      body: Pusher.ChannelAuthResponse
      room: string
      /** Which kind of channel was signed. */
      channel: 'user' | 'room'
    }
  | {
      ok: false
      /** 400: malformed request; 401: nobody signed in; 403: not this user's to subscribe to. */
      status: 400 | 401 | 403
      reason: string
    }

export interface Authorizer {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>
}

/** As the server SDKs check socket ids. */
const SOCKET_ID = /^\d+\.\d+$/
const DEFAULT_USER_CHANNEL = 'private-{room}-{user}'

export class AuthorizerConfigError extends Error {
  override name = 'AuthorizerConfigError'
}

interface RoomTemplate {
  template: string
  prefix: string
  suffix: string
  presence: boolean
  /** The kind of channel it makes (see channelType): a room id can never change it. */
  type: string
}

/** Pusher's channel types, by prefix, with the cache variants apart. */
function channelType(name: string): string {
  const cache = /^(cache-|private-cache-|private-encrypted-cache-|presence-cache-)/.test(name) ? '+cache' : ''
  if (name.startsWith('presence-')) return `presence${cache}`
  if (name.startsWith('private-encrypted-')) return `encrypted${cache}`
  if (name.startsWith('private-')) return `private${cache}`
  return `public${cache}`
}

function compileRoomTemplate(template: string): RoomTemplate {
  const problem = channelTemplateProblem(template, ['room'], ['room'])
  if (problem !== null) throw new AuthorizerConfigError(`Room channel template "${template}": ${problem}`)
  const at = template.indexOf('{room}')
  if (template.indexOf('{room}', at + 1) >= 0) {
    throw new AuthorizerConfigError(`Room channel template "${template}": use {room} once`)
  }
  return {
    template,
    prefix: template.slice(0, at),
    suffix: template.slice(at + '{room}'.length),
    presence: template.startsWith('presence-'),
    type: channelType(fillChannelTemplate(template, { room: 'x' })),
  }
}

const refuse = (status: 400 | 401 | 403, reason: string): AuthorizeResult => ({ ok: false, status, reason })

export function createAuthorizer(options: AuthorizerOptions): Authorizer {
  const userTemplate = options.userChannel ?? DEFAULT_USER_CHANNEL
  let convention: CompiledConvention
  try {
    convention = compileConvention({ kind: 'template', template: userTemplate })
  } catch (error) {
    if (error instanceof ConventionError) {
      throw new AuthorizerConfigError(`User channel template "${userTemplate}": ${error.message}`)
    }
    throw error
  }
  if (!userTemplate.startsWith('private-') || userTemplate.startsWith('private-encrypted-')) {
    throw new AuthorizerConfigError(
      `User channel template "${userTemplate}" must make private channels (private-…, not encrypted): a public channel needs no signature, so anyone could hold anyone's`,
    )
  }
  if (convention.hasGroup && options.groupOf === undefined) {
    throw new AuthorizerConfigError(
      `User channel template "${userTemplate}" has a {group}: give groupOf(user, room), so the server decides each user's group`,
    )
  }
  const rooms = (options.roomChannels ?? ['{room}']).map(compileRoomTemplate)
  for (const room of rooms) {
    const probe = convention.parse(fillChannelTemplate(room.template, { room: 'lobby' }))
    if (probe !== null) {
      throw new AuthorizerConfigError(
        `Room channel template "${room.template}" makes names that read as participant channels under "${userTemplate}" (${fillChannelTemplate(room.template, { room: 'lobby' })} is user "${probe.user}" in room "${probe.room}"): Headcount would count every room channel as a person. Use a template that doesn't match the convention, such as cache-{room} or private-{room}`,
      )
    }
  }
  const canJoin = options.canJoin ?? (() => true)

  /** The room a room channel is for, or null; only rooms that read back the same in a user channel. */
  const roomOf = (channel: string): { room: string; template: RoomTemplate } | null => {
    for (const template of rooms) {
      if (!channel.startsWith(template.prefix) || !channel.endsWith(template.suffix)) continue
      const room = channel.slice(template.prefix.length, channel.length - template.suffix.length)
      // `{room}` must not stretch over a prefix: `private-x` is no public room "private-x".
      if (room === '' || channelType(channel) !== template.type) continue
      // A room id that would not read back as itself in the convention (it holds the separator) is no room.
      const probe = convention.parse(fillChannelTemplate(userTemplate, { room, user: 'u', group: 'g' }))
      if (probe?.room === room) return { room, template }
    }
    return null
  }

  const authorize = async (request: AuthorizeRequest): Promise<AuthorizeResult> => {
    const { user, socketId, channelName } = request
    if (typeof user !== 'string' || user === '') return refuse(401, 'Sign in first: nobody is signed in')
    if (typeof socketId !== 'string' || !SOCKET_ID.test(socketId)) {
      return refuse(400, 'socket_id must be two numbers joined by a dot, as pusher-js sends it')
    }
    if (typeof channelName !== 'string') return refuse(400, 'channel_name is missing')
    const nameProblem = channelNameProblem(channelName)
    if (nameProblem !== null) return refuse(400, `channel_name: ${nameProblem}`)

    // A name that reads as a participant channel is one, whatever else it might match: it is signed
    // only for that participant.
    const parsed = convention.parse(channelName)
    if (parsed !== null) {
      if (parsed.user !== user) {
        return refuse(403, `${channelName} is ${parsed.user}'s channel in room ${parsed.room}, not yours`)
      }
      if (convention.hasGroup) {
        const group = await options.groupOf?.(user, parsed.room)
        if (group === null || group === undefined) {
          return refuse(403, `You have no group in room ${parsed.room}, so no channel there`)
        }
        if (parsed.group !== group) {
          return refuse(
            403,
            `${channelName} puts you in group ${parsed.group ?? ''}; your group in ${parsed.room} is ${group}`,
          )
        }
      }
      if (!(await canJoin(user, parsed.room))) return refuse(403, `You may not join room ${parsed.room}`)
      return {
        ok: true,
        status: 200,
        body: options.pusher.authorizeChannel(socketId, channelName),
        room: parsed.room,
        channel: 'user',
      }
    }

    const match = roomOf(channelName)
    if (match === null) {
      return refuse(
        403,
        `${channelName} is neither your channel (${userTemplate}) nor a room channel (${rooms.map((r) => r.template).join(', ')})`,
      )
    }
    if (!(await canJoin(user, match.room))) return refuse(403, `You may not join room ${match.room}`)
    const body = match.template.presence
      ? options.pusher.authorizeChannel(socketId, channelName, { user_id: user })
      : options.pusher.authorizeChannel(socketId, channelName)
    return { ok: true, status: 200, body, room: match.room, channel: 'room' }
  }

  return { authorize }
}
