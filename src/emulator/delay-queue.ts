// One timer for many delayed jobs that all share the same delay (vacate and member_removed webhooks):
// with a constant delay, arrival order is due order, so a FIFO is enough and 1,000,000 pending
// vacates cost one timer instead of a million.

interface Job {
  due: number
  run: () => void
}

export class DelayQueue {
  private jobs: Job[] = []
  private head = 0
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private readonly now: () => number

  constructor(now: () => number = Date.now) {
    this.now = now
  }

  get size(): number {
    return this.jobs.length - this.head
  }

  /** Runs `run` after `delayMs`; the delay must be the same for every job in this queue. */
  push(delayMs: number, run: () => void): number {
    const due = this.now() + delayMs
    if (this.closed) return due
    this.jobs.push({ due, run })
    if (this.timer === null) this.arm()
    return due
  }

  close(): void {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.jobs = []
    this.head = 0
  }

  private arm(): void {
    const next = this.jobs[this.head]
    if (next === undefined || this.closed) {
      this.timer = null
      return
    }
    this.timer = setTimeout(() => this.drain(), Math.max(0, next.due - this.now()))
    this.timer.unref()
  }

  private drain(): void {
    this.timer = null
    const now = this.now()
    for (;;) {
      const job = this.jobs[this.head]
      if (job === undefined || job.due > now || this.closed) break
      this.jobs[this.head] = undefined as unknown as Job
      this.head++
      job.run()
    }
    // Compact once the consumed prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head)
      this.head = 0
    }
    this.arm()
  }
}
