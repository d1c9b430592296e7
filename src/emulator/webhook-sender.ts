// POSTs webhook batches to each URL, signed like Pusher's (X-Pusher-Key, X-Pusher-Signature = HMAC-SHA256
// hex of the raw body), retrying non-2xx answers and network errors with exponential backoff for a
// bounded number of attempts. Sending never blocks or throws into the emulator: a dead receiver only
// costs a bounded queue.
import { hmacHex } from './signature.ts'

export interface WebhookSenderOptions {
  urls: readonly string[]
  key: string
  secret: string
  maxAttempts: number
  retryBaseMs: number
  retryMaxMs: number
  timeoutMs: number
  /** Per-URL concurrency; further batches wait in a queue of at most maxQueued. */
  concurrency: number
  maxQueued: number
  logger: { warn(...a: unknown[]): void }
}

export interface WebhookSenderStats {
  delivered: number
  failedAttempts: number
  abandoned: number
  dropped: number
  queued: number
  inFlight: number
}

interface Target {
  url: string
  queue: string[]
  inFlight: number
}

export class WebhookSender {
  private readonly options: WebhookSenderOptions
  private readonly targets: Target[]
  private readonly retryTimers = new Set<NodeJS.Timeout>()
  private readonly controllers = new Set<AbortController>()
  private closed = false
  readonly stats: WebhookSenderStats = {
    delivered: 0,
    failedAttempts: 0,
    abandoned: 0,
    dropped: 0,
    queued: 0,
    inFlight: 0,
  }

  constructor(options: WebhookSenderOptions) {
    this.options = options
    this.targets = options.urls.map((url) => ({ url, queue: [], inFlight: 0 }))
  }

  send(body: string): void {
    if (this.closed) return
    for (const target of this.targets) {
      if (target.inFlight < this.options.concurrency) {
        this.attempt(target, body, 1)
      } else if (target.queue.length < this.options.maxQueued) {
        target.queue.push(body)
        this.stats.queued++
      } else {
        this.stats.dropped++
        this.options.logger.warn(`webhook queue for ${target.url} is full; dropping a batch`)
      }
    }
  }

  close(): void {
    this.closed = true
    for (const timer of this.retryTimers) clearTimeout(timer)
    this.retryTimers.clear()
    for (const controller of this.controllers) controller.abort()
    this.controllers.clear()
    for (const target of this.targets) target.queue = []
  }

  private attempt(target: Target, body: string, attempt: number): void {
    target.inFlight++
    this.stats.inFlight++
    void this.post(target.url, body).then((ok) => {
      target.inFlight--
      this.stats.inFlight--
      if (this.closed) return
      if (ok) {
        this.stats.delivered++
      } else {
        this.stats.failedAttempts++
        if (attempt < this.options.maxAttempts) {
          const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempt - 1))
          // The retry keeps its concurrency slot while it waits, so a failing receiver slows its own
          // queue instead of being hammered by every queued batch at once.
          target.inFlight++
          this.stats.inFlight++
          const timer = setTimeout(() => {
            this.retryTimers.delete(timer)
            target.inFlight--
            this.stats.inFlight--
            if (!this.closed) this.attempt(target, body, attempt + 1)
          }, delay)
          timer.unref()
          this.retryTimers.add(timer)
          return
        }
        this.stats.abandoned++
        this.options.logger.warn(`webhook to ${target.url} abandoned after ${attempt} attempts`)
      }
      this.next(target)
    })
  }

  private next(target: Target): void {
    while (target.inFlight < this.options.concurrency && target.queue.length > 0) {
      const body = target.queue.shift() as string
      this.stats.queued--
      this.attempt(target, body, 1)
    }
  }

  private async post(url: string, body: string): Promise<boolean> {
    const controller = new AbortController()
    this.controllers.add(controller)
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs)
    timer.unref()
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/json',
          'X-Pusher-Key': this.options.key,
          'X-Pusher-Signature': hmacHex(this.options.secret, body),
        },
        signal: controller.signal,
      })
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined)
      return response.status >= 200 && response.status < 300
    } catch {
      return false
    } finally {
      clearTimeout(timer)
      this.controllers.delete(controller)
    }
  }
}
