// Counts messages delivered to subscribers, so vanilla presence can be compared with the pattern.
// Per-channel counts live on the channel record while it exists (no extra map entry per channel) and
// move to `retired` when the channel is removed.

export type DeliveryKind =
  | 'event'
  | 'client_event'
  | 'member_added'
  | 'member_removed'
  | 'subscription_succeeded'
  /** A cache channel's last event, handed to a new subscriber. */
  | 'cached_event'
  /** `pusher:cache_miss`, to a new subscriber of a cache channel with nothing cached. */
  | 'cache_miss'

export interface DeliveryTotals {
  total: number
  event: number
  client_event: number
  member_added: number
  member_removed: number
  subscription_succeeded: number
  cached_event: number
  cache_miss: number
}

export interface Counted {
  readonly name: string
  delivered: number
}

export function emptyTotals(): DeliveryTotals {
  return {
    total: 0,
    event: 0,
    client_event: 0,
    member_added: 0,
    member_removed: 0,
    subscription_succeeded: 0,
    cached_event: 0,
    cache_miss: 0,
  }
}

export class DeliveryAccounting {
  totals: DeliveryTotals = emptyTotals()
  /** Triggers accepted (HTTP events, one per channel, and client events), not multiplied by recipients. */
  published = 0
  private retired = new Map<string, number>()

  add(channel: Counted, kind: DeliveryKind, count: number): void {
    if (count <= 0) return
    channel.delivered += count
    this.totals[kind] += count
    this.totals.total += count
  }

  retire(channel: Counted): void {
    if (channel.delivered > 0) this.retired.set(channel.name, (this.retired.get(channel.name) ?? 0) + channel.delivered)
  }

  /** A channel that comes back after being removed picks up its earlier count. */
  revive(channel: Counted): void {
    const earlier = this.retired.get(channel.name)
    if (earlier !== undefined) {
      channel.delivered += earlier
      this.retired.delete(channel.name)
    }
  }

  /** Deliveries to one channel so far, whether it exists now (`live`) or was removed since. */
  deliveredTo(name: string, live: Counted | undefined): number {
    return live === undefined ? (this.retired.get(name) ?? 0) : live.delivered
  }

  top(live: Iterable<Counted>, limit: number): Array<{ channel: string; delivered: number }> {
    const best: Array<{ channel: string; delivered: number }> = []
    const consider = (channel: string, delivered: number): void => {
      if (delivered <= 0 || limit <= 0) return
      if (best.length === limit && (best[best.length - 1]?.delivered ?? 0) >= delivered) return
      let i = best.length
      while (i > 0 && (best[i - 1]?.delivered ?? 0) < delivered) i--
      best.splice(i, 0, { channel, delivered })
      if (best.length > limit) best.pop()
    }
    for (const channel of live) consider(channel.name, channel.delivered)
    for (const [channel, delivered] of this.retired) consider(channel, delivered)
    return best
  }

  reset(live: Iterable<Counted>): void {
    this.totals = emptyTotals()
    this.published = 0
    this.retired.clear()
    for (const channel of live) channel.delivered = 0
  }
}
