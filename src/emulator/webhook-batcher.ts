// Groups webhook events the way Pusher's batch webhooks do: a batch is flushed 250 ms after its first
// event or as soon as it holds 20 events (both configurable).

export type WebhookEvent =
  | { name: 'channel_occupied' | 'channel_vacated'; channel: string }
  | { name: 'member_added' | 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string }
  | { name: 'cache_miss'; channel: string }

export interface WebhookBatch {
  time_ms: number
  events: WebhookEvent[]
}

export class WebhookBatcher {
  private pending: WebhookEvent[] = []
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private readonly windowMs: number
  private readonly maxEvents: number
  private readonly flushTo: (batch: WebhookBatch) => void
  private readonly now: () => number

  constructor(
    windowMs: number,
    maxEvents: number,
    flushTo: (batch: WebhookBatch) => void,
    now: () => number = Date.now,
  ) {
    this.windowMs = windowMs
    this.maxEvents = Math.max(1, maxEvents)
    this.flushTo = flushTo
    this.now = now
  }

  add(event: WebhookEvent): void {
    if (this.closed) return
    this.pending.push(event)
    if (this.pending.length >= this.maxEvents) {
      this.flush()
    } else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.windowMs)
      this.timer.unref()
    }
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const events = this.pending
    this.pending = []
    this.flushTo({ time_ms: this.now(), events })
  }

  /** Drops anything pending: close() flushes nothing further. */
  close(): void {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.pending = []
  }
}
