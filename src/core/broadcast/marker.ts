// One broadcaster per app. Two consoles broadcasting to one app would double every message, so each
// broadcasting Headcount makes itself visible through Pusher itself:
//
// - while broadcasting, it keeps a WebSocket connection (pusher-js) subscribed to the presence channel
//   MARKER_CHANNEL, as a member whose user id names the console (host, process, random tag);
// - before switching on, it asks the HTTP API who is in that channel
//   (`GET /apps/{id}/channels/presence-headcount-broadcasters/users`, which Pusher answers for presence
//   channels only). Any member other than itself is another Headcount broadcasting to the same app.
// - while on, pusher-js reports members joining the channel at once (member_added), so a console that
//   raced past the check is noticed too.
//
// A server can't subscribe over HTTP, and `GET /channels/{name}` says only whether a channel is
// occupied, not by whom: the presence channel's member list is what tells "another console" from
// "this console". The channel starts with `presence-`, which the naming convention's `private-` prefix
// never lists, so the marker is never counted as a participant. A console that dies without closing its
// socket stays listed until Pusher notices the dead connection (about two minutes at most).
import { hostname } from 'node:os'
import PusherJs from 'pusher-js'
import type Pusher from 'pusher'
import type { Credentials } from '../../shared/connection.ts'
import type { Logger } from '../logger.ts'
import { classifySendError } from './delivery.ts'
import { RequestAbortedError, type RequestOptions } from '../channels/client.ts'
import { ChannelsApiError } from '../channels/errors.ts'

export const MARKER_CHANNEL = 'presence-headcount-broadcasters'

export type MarkerState = 'off' | 'connecting' | 'held' | 'unavailable'

/** What the broadcaster needs of the marker (a fake in unit tests). */
export interface Marker {
  readonly id: string
  readonly state: MarkerState
  /** Other consoles in the marker channel now, through the HTTP API (throws a classified error). */
  othersNow(options?: RequestOptions): Promise<string[]>
  /** Other consoles seen on the held connection. */
  readonly othersLive: readonly string[]
  hold(): void
  release(): void
}

export interface MarkerOptions {
  credentials: Credentials
  /** Signs the marker's channel authorisation. */
  sdk: Pusher
  /** Asks the HTTP API who is in the marker channel. */
  client: { get(path: string, options?: RequestOptions): Promise<string> }
  endpoint: string
  timeoutMs: number
  logger: Logger
  /** Called when the state or the live list of others changes. */
  onChange(): void
}

/** `hc.<host>.<pid>.<tag>`: unique per console, readable in a warning. */
export function markerId(host = hostname(), pid = process.pid, tag = Math.random().toString(36).slice(2, 8)): string {
  const safeHost = host.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60) || 'unknown'
  return `hc.${safeHost}.${pid}.${tag}`
}

/** An operator's description of another console's marker id. */
export function describeMarker(id: string): string {
  const parts = /^hc\.([^.]+)\.(\d+)\.[a-z0-9]+$/.exec(id)
  return parts ? `another Headcount on host ${parts[1]} (process ${parts[2]})` : `another broadcaster (${id})`
}

interface MembersList {
  each(callback: (member: { id: string }) => void): void
}

export class PusherMarker implements Marker {
  readonly id = markerId()
  state: MarkerState = 'off'
  private socket: PusherJs | null = null
  private readonly others = new Set<string>()
  private readonly options: MarkerOptions

  constructor(options: MarkerOptions) {
    this.options = options
  }

  get othersLive(): readonly string[] {
    return [...this.others]
  }

  async othersNow(options: RequestOptions = {}): Promise<string[]> {
    const { client, endpoint, timeoutMs } = this.options
    let text: string
    try {
      text = await client.get(`/channels/${MARKER_CHANNEL}/users`, options)
    } catch (error) {
      if (error instanceof RequestAbortedError) throw error
      throw new ChannelsApiError(classifySendError(error, endpoint, timeoutMs))
    }
    let ids: string[]
    try {
      const body = JSON.parse(text) as { users?: Array<{ id?: unknown }> }
      ids = (body.users ?? []).map((user) => String(user.id))
    } catch {
      ids = []
    }
    return ids.filter((id) => id !== this.id)
  }

  hold(): void {
    if (this.socket !== null) return
    const { credentials, sdk } = this.options
    const target = credentials.target
    const userInfo = { host: hostname(), pid: process.pid, since: new Date().toISOString() }
    const socket = new PusherJs(credentials.key, {
      ...(target.kind === 'cluster'
        ? { cluster: target.cluster, forceTLS: true }
        : {
            cluster: 'custom',
            wsHost: target.host,
            wsPort: target.port ?? 80,
            wssPort: target.port ?? 443,
            forceTLS: target.useTLS,
            enabledTransports: target.useTLS ? ['wss'] : ['ws'],
          }),
      disableStats: true,
      channelAuthorization: {
        endpoint: '',
        transport: 'ajax',
        customHandler: (params, callback) => {
          try {
            callback(
              null,
              sdk.authorizeChannel(params.socketId, params.channelName, { user_id: this.id, user_info: userInfo }),
            )
          } catch (error) {
            callback(error as Error, null)
          }
        },
      },
    })
    this.socket = socket
    this.setState('connecting')
    socket.connection.bind('state_change', ({ current }: { current: string }) => {
      if (current === 'unavailable' || current === 'failed') this.setState('unavailable')
      else if (current === 'connecting' && this.state !== 'unavailable') this.setState('connecting')
    })
    const channel = socket.subscribe(MARKER_CHANNEL)
    channel.bind('pusher:subscription_succeeded', (members: MembersList) => {
      this.others.clear()
      members.each((member) => {
        if (member.id !== this.id) this.others.add(member.id)
      })
      this.setState('held')
    })
    channel.bind('pusher:subscription_error', (error: unknown) => {
      this.options.logger.warn('the broadcaster could not hold its marker channel', error)
      this.setState('unavailable')
    })
    channel.bind('pusher:member_added', (member: { id: string }) => {
      if (member.id === this.id) return
      this.others.add(member.id)
      this.options.onChange()
    })
    channel.bind('pusher:member_removed', (member: { id: string }) => {
      if (this.others.delete(member.id)) this.options.onChange()
    })
  }

  release(): void {
    const socket = this.socket
    this.socket = null
    this.others.clear()
    socket?.disconnect()
    this.setState('off')
  }

  private setState(state: MarkerState): void {
    if (this.state === state) return
    this.state = state
    this.options.onChange()
  }
}
