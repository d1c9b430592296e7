// The app's channels and their subscribers. A subscriber is either a WebSocket connection or an
// injected member (no socket: just a count on the channel, plus a presence entry), so a million
// private channels fit in memory. Occupancy and presence changes feed webhooks and delivery accounting.
import { type Counted, DeliveryAccounting, type DeliveryKind } from './accounting.ts'
import { DelayQueue } from './delay-queue.ts'
import { MAX_USER_ID_LENGTH } from '../shared/pusher-limits.ts'
import { type ChannelKind, channelKind, channelNameProblem, isCacheChannel } from './limits.ts'
import { DEFAULT_CACHE_TTL_MS } from './options.ts'
import type { WebhookEvent } from './webhook-batcher.ts'

/** What the state needs from a WebSocket connection. */
export interface SocketSubscriber {
  readonly socketId: string
  send(frame: string): void
}

/** A user in a presence channel's member list (named apart from the engine's Member, a participant). */
export interface PresenceEntry {
  /** user_info as given (null when absent, so it survives JSON in the presence hash). */
  info: unknown
  /** Subscriptions (connections plus injected members) this user holds on the channel. */
  count: number
}

export class Channel implements Counted {
  readonly name: string
  readonly kind: ChannelKind
  /** Socket subscriptions; the value is the presence user_id (null on other channel kinds). */
  sockets: Map<SocketSubscriber, string | null> | null = null
  injected = 0
  members: Map<string, PresenceEntry> | null
  delivered = 0
  /** Due time of a pending channel_vacated webhook, 0 when none. */
  vacateDue = 0
  /** user_id → due time of a pending member_removed webhook (presence channels, webhooks on). */
  pendingRemoval: Map<string, number> | null = null

  constructor(name: string) {
    this.name = name
    this.kind = channelKind(name)
    this.members = this.kind === 'presence' ? new Map() : null
  }

  get subscriptionCount(): number {
    return (this.sockets === null ? 0 : this.sockets.size) + this.injected
  }

  get occupied(): boolean {
    return this.subscriptionCount > 0
  }
}

export interface StateOptions {
  presenceLimit: number
  vacateDelayMs: number
  /** How long a cache channel keeps its last event; default DEFAULT_CACHE_TTL_MS (Pusher: up to 30 minutes). */
  cacheTtlMs?: number
  /** Where webhook events go; null when no webhook URL is configured (then none are built). */
  webhookSink: ((event: WebhookEvent) => void) | null
  /** The clock, for cache expiry (tests step it). */
  now?: () => number
}

/** A cache channel's last server-triggered event. */
export interface CachedEvent {
  event: string
  /** The event's data exactly as triggered. */
  data: string
  /** When it is forgotten (ms since the epoch). */
  expiresAt: number
}

export type SubscribeResult = { ok: true; newMember: boolean } | { ok: false; reason: 'limit' | 'duplicate' }

export class PresenceLimitError extends Error {}

export class AppState {
  readonly channels = new Map<string, Channel>()
  readonly accounting = new DeliveryAccounting()
  private readonly options: StateOptions
  private readonly delays = new DelayQueue()
  // Injected members by handle: parallel arrays keep this at two pointers per member.
  private injChannel: Array<Channel | undefined> = []
  private injUser: Array<string | undefined> = []
  private freeHandles: number[] = []
  injectedCount = 0
  // Cache channels' last events live apart from the channel records: a value outlives its subscribers
  // (that is the point: the next subscriber gets it), for the TTL.
  private readonly cache = new Map<string, CachedEvent>()
  /**
   * Cache channels that have already sent a cache_miss webhook since they were last filled (or
   * occupied): Pusher de-duplicates the webhook when many clients subscribe to an empty cache channel,
   * so a crowd of a million joining an empty room costs the app one webhook, not a million.
   */
  private readonly cacheMissNotified = new Set<string>()
  private cacheSweep: NodeJS.Timeout | null = null
  private readonly now: () => number
  private readonly cacheTtlMs: number

  constructor(options: StateOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS
  }

  close(): void {
    this.delays.close()
    if (this.cacheSweep !== null) clearInterval(this.cacheSweep)
    this.cacheSweep = null
  }

  get webhooksOn(): boolean {
    return this.options.webhookSink !== null
  }

  get presenceLimit(): number {
    return this.options.presenceLimit
  }

  channel(name: string): Channel | undefined {
    return this.channels.get(name)
  }

  // ---- subscriptions -------------------------------------------------------------------------

  /**
   * Adds a socket subscription. For presence channels pass the user; the caller sends
   * subscription_succeeded afterwards (see presenceSnapshot).
   */
  subscribeSocket(sock: SocketSubscriber, name: string, user?: { id: string; info: unknown }): SubscribeResult {
    const ch = this.obtain(name)
    if (ch.sockets?.has(sock)) return { ok: false, reason: 'duplicate' }
    if (ch.kind === 'presence' && user !== undefined && !this.presenceRoomFor(ch, user.id)) {
      this.dropIfUnused(ch)
      return { ok: false, reason: 'limit' }
    }
    const before = ch.subscriptionCount
    if (ch.sockets === null) ch.sockets = new Map()
    ch.sockets.set(sock, ch.kind === 'presence' && user !== undefined ? user.id : null)
    if (before === 0) this.becameOccupied(ch)
    let newMember = false
    if (ch.kind === 'presence' && user !== undefined) newMember = this.addMember(ch, user.id, user.info, sock)
    this.accounting.add(ch, 'subscription_succeeded', 1)
    return { ok: true, newMember }
  }

  unsubscribeSocket(sock: SocketSubscriber, name: string): boolean {
    const ch = this.channels.get(name)
    if (ch === undefined || ch.sockets === null || !ch.sockets.has(sock)) return false
    const userId = ch.sockets.get(sock) ?? null
    ch.sockets.delete(sock)
    if (ch.sockets.size === 0) ch.sockets = null
    if (userId !== null) this.removeMember(ch, userId)
    if (ch.subscriptionCount === 0) this.becameEmpty(ch)
    return true
  }

  /** The presence data a new subscriber receives, as the JSON string Pusher double-encodes. */
  presenceSnapshot(name: string): string {
    const ch = this.channels.get(name)
    const ids: string[] = []
    const hash: Record<string, unknown> = {}
    if (ch?.members) {
      for (const [id, member] of ch.members) {
        ids.push(id)
        hash[id] = member.info
      }
    }
    return JSON.stringify({ presence: { ids, hash, count: ids.length } })
  }

  // ---- injected members ----------------------------------------------------------------------

  inject(name: string, userId?: string, userInfo?: unknown): number {
    const problem = channelNameProblem(name)
    if (problem !== null) throw new Error(`Cannot inject into channel: ${problem}`)
    const kind = channelKind(name)
    if (kind === 'presence') {
      if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
        throw new Error(
          `Injecting into presence channel '${name}' needs a userId of 1 to ${MAX_USER_ID_LENGTH} characters`,
        )
      }
    }
    const ch = this.obtain(name)
    if (kind === 'presence' && !this.presenceRoomFor(ch, userId as string)) {
      this.dropIfUnused(ch)
      throw new PresenceLimitError(
        `Presence channel '${name}' is full: the limit is ${this.options.presenceLimit} members`,
      )
    }
    const before = ch.subscriptionCount
    ch.injected++
    this.injectedCount++
    if (before === 0) this.becameOccupied(ch)
    if (kind === 'presence') this.addMember(ch, userId as string, userInfo ?? null, null)
    this.accounting.add(ch, 'subscription_succeeded', 1)
    this.welcomeToCache(null, name)
    const handle = this.freeHandles.pop() ?? this.injChannel.length
    this.injChannel[handle] = ch
    this.injUser[handle] = userId
    return handle
  }

  removeInjected(handle: number): boolean {
    const ch = this.injChannel[handle]
    if (ch === undefined) return false
    const userId = this.injUser[handle]
    this.injChannel[handle] = undefined
    this.injUser[handle] = undefined
    this.freeHandles.push(handle)
    ch.injected--
    this.injectedCount--
    if (ch.kind === 'presence' && userId !== undefined) this.removeMember(ch, userId)
    if (ch.subscriptionCount === 0) this.becameEmpty(ch)
    return true
  }

  /** Removes every injected member carrying this user id (terminate_connections). */
  removeInjectedUser(userId: string): number {
    let removed = 0
    for (let handle = 0; handle < this.injUser.length; handle++) {
      if (this.injUser[handle] === userId && this.removeInjected(handle)) removed++
    }
    return removed
  }

  // ---- publishing ----------------------------------------------------------------------------

  /**
   * A server-triggered event (HTTP events and batch_events): delivered to every subscriber except
   * `exceptSocketId` and, on a cache channel, kept as its last event for the TTL, even when nobody is
   * subscribed. Client events are never cached (Pusher doesn't either).
   */
  trigger(name: string, event: string, data: string, exceptSocketId?: string): number {
    if (isCacheChannel(name)) {
      this.cache.set(name, { event, data, expiresAt: this.now() + this.cacheTtlMs })
      this.cacheMissNotified.delete(name)
      this.armCacheSweep()
    }
    return this.publish(name, JSON.stringify({ event, channel: name, data }), 'event', exceptSocketId)
  }

  /** A cache channel's last event, or null when it has none (never had one, or it expired). */
  cachedEvent(name: string): CachedEvent | null {
    const cached = this.cache.get(name)
    if (cached === undefined) return null
    if (cached.expiresAt <= this.now()) {
      this.cache.delete(name)
      return null
    }
    return cached
  }

  /** `info=cache` of GET /channels/{name}: the cached data and its remaining TTL in whole seconds, or null. */
  cacheInfo(name: string): { data: string; ttl: number } | null {
    const cached = this.cachedEvent(name)
    return cached === null ? null : { data: cached.data, ttl: Math.ceil((cached.expiresAt - this.now()) / 1000) }
  }

  /**
   * What a new subscriber of a cache channel gets right after subscription_succeeded: the cached event,
   * or `pusher:cache_miss` (and the app a `cache_miss` webhook). `sock` null: an injected member, which
   * is only counted. Other channels: nothing.
   */
  welcomeToCache(sock: SocketSubscriber | null, name: string): void {
    if (!isCacheChannel(name)) return
    const ch = this.channels.get(name)
    if (ch === undefined) return
    const cached = this.cachedEvent(name)
    if (cached !== null) {
      sock?.send(JSON.stringify({ event: cached.event, channel: name, data: cached.data }))
      this.accounting.add(ch, 'cached_event', 1)
      return
    }
    sock?.send(JSON.stringify({ event: 'pusher:cache_miss', channel: name, data: '{}' }))
    this.accounting.add(ch, 'cache_miss', 1)
    if (!this.cacheMissNotified.has(name)) {
      this.cacheMissNotified.add(name)
      this.options.webhookSink?.({ name: 'cache_miss', channel: name })
    }
  }

  /**
   * Sends a prepared frame to every subscriber of a channel except `exceptSocketId`, and counts one
   * delivery per recipient (injected members included). Returns the number of recipients.
   */
  publish(name: string, frame: string, kind: DeliveryKind, exceptSocketId?: string): number {
    const ch = this.channels.get(name)
    if (ch === undefined) return 0
    let recipients = ch.injected
    if (ch.sockets !== null) {
      for (const sock of ch.sockets.keys()) {
        if (sock.socketId === exceptSocketId) continue
        sock.send(frame)
        recipients++
      }
    }
    this.accounting.add(ch, kind, recipients)
    return recipients
  }

  // ---- queries -------------------------------------------------------------------------------

  /**
   * The GET /channels response body, written straight into a Buffer. Channel names are validated to
   * ASCII characters that need no JSON escaping, so no serialiser is needed: at a million channels this
   * is several times faster than JSON.stringify of an object, and skips a string-to-bytes copy.
   * Channels are listed in the order they became occupied, or with `shuffled` in a fresh random order
   * (Pusher documents no order, so clients must not depend on one).
   */
  channelsBody(prefix: string, userCount: boolean, subscriptionCount: boolean, shuffled = false): Buffer {
    const names: string[] = []
    const attrs: string[] | null = userCount || subscriptionCount ? [] : null
    let size = 15 // {"channels":{}}
    for (const ch of this.channels.values()) {
      if (!ch.name.startsWith(prefix) || ch.kind === 'internal') continue
      const subs = ch.subscriptionCount
      if (subs === 0) continue
      names.push(ch.name)
      size += ch.name.length + 6 // "name":{} plus a comma
      if (attrs !== null) {
        let attr = ''
        if (userCount && ch.members !== null) attr = `"user_count":${ch.members.size}`
        if (subscriptionCount && ch.kind !== 'presence') attr += `${attr === '' ? '' : ','}"subscription_count":${subs}`
        attrs.push(attr)
        size += attr.length
      }
    }
    const order = listingOrder(names.length, shuffled)
    const out = Buffer.allocUnsafe(size)
    let at = out.write('{"channels":{', 0, 'latin1')
    for (let position = 0; position < order.length; position++) {
      const i = order[position] as number
      if (position > 0) out[at++] = 0x2c // ,
      out[at++] = 0x22 // "
      at += out.write(names[i] as string, at, 'latin1')
      out[at++] = 0x22
      out[at++] = 0x3a // :
      out[at++] = 0x7b // {
      if (attrs !== null) at += out.write(attrs[i] as string, at, 'latin1')
      out[at++] = 0x7d // }
    }
    at += out.write('}}', at, 'latin1')
    return out.subarray(0, at)
  }

  occupiedChannelCount(): number {
    let n = 0
    for (const ch of this.channels.values()) if (ch.subscriptionCount > 0) n++
    return n
  }

  // ---- internals -----------------------------------------------------------------------------

  private obtain(name: string): Channel {
    let ch = this.channels.get(name)
    if (ch === undefined) {
      ch = new Channel(name)
      this.accounting.revive(ch)
      this.channels.set(name, ch)
    }
    return ch
  }

  private dropIfUnused(ch: Channel): void {
    if (
      ch.subscriptionCount === 0 &&
      ch.vacateDue === 0 &&
      (ch.pendingRemoval === null || ch.pendingRemoval.size === 0)
    ) {
      this.retireChannel(ch)
    }
  }

  private retireChannel(ch: Channel): void {
    if (this.channels.get(ch.name) === ch) {
      this.accounting.retire(ch)
      this.channels.delete(ch.name)
      this.cacheMissNotified.delete(ch.name)
    }
  }

  /** Expired cache entries are dropped when read, and swept now and then so unread ones free their memory. */
  private armCacheSweep(): void {
    if (this.cacheSweep !== null) return
    this.cacheSweep = setInterval(
      () => {
        const now = this.now()
        for (const [name, cached] of this.cache) if (cached.expiresAt <= now) this.cache.delete(name)
        if (this.cache.size === 0 && this.cacheSweep !== null) {
          clearInterval(this.cacheSweep)
          this.cacheSweep = null
        }
      },
      Math.max(1000, Math.min(this.cacheTtlMs, 60_000)),
    )
    this.cacheSweep.unref()
  }

  private presenceRoomFor(ch: Channel, userId: string): boolean {
    const members = ch.members
    return members === null || members.has(userId) || members.size < this.options.presenceLimit
  }

  private becameOccupied(ch: Channel): void {
    if (ch.kind === 'internal') return
    if (ch.vacateDue !== 0) {
      // Back within the vacate delay: Pusher sends neither vacated nor occupied.
      ch.vacateDue = 0
      return
    }
    this.options.webhookSink?.({ name: 'channel_occupied', channel: ch.name })
  }

  private becameEmpty(ch: Channel): void {
    const sink = this.options.webhookSink
    if (sink === null || ch.kind === 'internal') {
      this.retireChannel(ch)
      return
    }
    const due = this.delays.push(this.options.vacateDelayMs, () => {
      if (ch.vacateDue !== due || ch.subscriptionCount > 0) return
      ch.vacateDue = 0
      sink({ name: 'channel_vacated', channel: ch.name })
      this.dropIfUnused(ch)
    })
    ch.vacateDue = due
  }

  /** Returns true if this was the user's first subscription (a new member). */
  private addMember(ch: Channel, userId: string, info: unknown, joining: SocketSubscriber | null): boolean {
    const members = ch.members as Map<string, PresenceEntry>
    const existing = members.get(userId)
    if (existing !== undefined) {
      existing.count++
      return false
    }
    members.set(userId, { info: info ?? null, count: 1 })
    const frame = JSON.stringify({
      event: 'pusher_internal:member_added',
      channel: ch.name,
      data: JSON.stringify({ user_id: userId, user_info: info ?? null }),
    })
    let recipients = ch.injected - (joining === null ? 1 : 0)
    if (ch.sockets !== null) {
      for (const sock of ch.sockets.keys()) {
        if (sock === joining) continue
        sock.send(frame)
        recipients++
      }
    }
    this.accounting.add(ch, 'member_added', recipients)
    const pending = ch.pendingRemoval?.get(userId)
    if (pending !== undefined) {
      // Rejoined within the delay: the pending member_removed is cancelled and no member_added is sent.
      ch.pendingRemoval?.delete(userId)
    } else {
      this.options.webhookSink?.({ name: 'member_added', channel: ch.name, user_id: userId })
    }
    return true
  }

  private removeMember(ch: Channel, userId: string): void {
    const members = ch.members
    const member = members?.get(userId)
    if (members === null || member === undefined) return
    member.count--
    if (member.count > 0) return
    members.delete(userId)
    const frame = JSON.stringify({
      event: 'pusher_internal:member_removed',
      channel: ch.name,
      data: JSON.stringify({ user_id: userId }),
    })
    this.publish(ch.name, frame, 'member_removed')
    const sink = this.options.webhookSink
    if (sink === null) return
    if (ch.pendingRemoval === null) ch.pendingRemoval = new Map()
    const due = this.delays.push(this.options.vacateDelayMs, () => {
      if (ch.pendingRemoval?.get(userId) !== due) return
      ch.pendingRemoval.delete(userId)
      sink({ name: 'member_removed', channel: ch.name, user_id: userId })
      this.dropIfUnused(ch)
    })
    ch.pendingRemoval.set(userId, due)
  }
}

/** Indices 0..count-1, as they are or in a uniformly random order (Fisher–Yates). */
function listingOrder(count: number, shuffled: boolean): Int32Array {
  const order = new Int32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  if (!shuffled) return order
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const swap = order[i] as number
    order[i] = order[j] as number
    order[j] = swap
  }
  return order
}
