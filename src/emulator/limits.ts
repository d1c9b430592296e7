// The emulator's checks of names, ids and sizes, in Pusher's words, so the HTTP API, the WebSocket
// protocol and injection all refuse the same things. The limits themselves are Pusher's, from
// src/shared/pusher-limits.ts, shared with the engine, the broadcaster and the UI.
import { isValidChannelName } from '../shared/channel-names.ts'
import { MAX_CHANNEL_NAME_LENGTH, MAX_EVENT_NAME_LENGTH, MAX_USER_ID_LENGTH } from '../shared/pusher-limits.ts'

const SERVER_TO_USER_PREFIX = '#server-to-user-'
const SOCKET_ID = /^\d+\.\d+$/

/** 'internal' is Pusher's own #server-to-user-{id} channel: not listed, no webhooks. */
export type ChannelKind = 'public' | 'private' | 'presence' | 'internal'

export function channelKind(name: string): ChannelKind {
  if (name.startsWith('presence-')) return 'presence'
  if (name.startsWith('private-')) return 'private'
  if (name.startsWith('#')) return 'internal'
  return 'public'
}

/** Returns why a channel name is refused, or null if Pusher would accept it. */
export function channelNameProblem(name: unknown, allowServerToUser = false): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'channel name must be a non-empty string'
  if (name.length > MAX_CHANNEL_NAME_LENGTH) {
    return `channel name is ${name.length} characters; the maximum is ${MAX_CHANNEL_NAME_LENGTH}`
  }
  // '#' is reserved for Pusher's own channels; the server SDK's sendToUser uses #server-to-user-{id}.
  if (name.startsWith(SERVER_TO_USER_PREFIX)) {
    const userId = name.slice(SERVER_TO_USER_PREFIX.length)
    if (allowServerToUser && userId.length > 0 && userId.length <= MAX_USER_ID_LENGTH) return null
    if (!allowServerToUser) return `channel name '${name}' uses the reserved character '#'`
    return `invalid user id in channel '${name}'`
  }
  if (!isValidChannelName(name)) {
    return `channel name '${name}' may only contain A-Z, a-z, 0-9 and _ - = @ , . ;`
  }
  return null
}

/** Pusher's cache channel prefixes: public, private, encrypted and presence channels with `cache-` in their prefix. */
const CACHE_PREFIXES = ['cache-', 'private-cache-', 'private-encrypted-cache-', 'presence-cache-'] as const

/** Whether the channel keeps its last server-triggered event for new subscribers (a cache channel). */
export function isCacheChannel(name: string): boolean {
  return CACHE_PREFIXES.some((prefix) => name.startsWith(prefix))
}

export function serverToUserChannel(userId: string): string {
  return SERVER_TO_USER_PREFIX + userId
}

export function isServerToUserChannel(name: string): boolean {
  return name.startsWith(SERVER_TO_USER_PREFIX)
}

export function eventNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'event name must be a non-empty string'
  if (name.length > MAX_EVENT_NAME_LENGTH) {
    return `event name is ${name.length} characters; the maximum is ${MAX_EVENT_NAME_LENGTH}`
  }
  return null
}

export function isValidSocketId(value: unknown): value is string {
  return typeof value === 'string' && SOCKET_ID.test(value)
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}
