import type { Timers } from './timers.ts'

/**
 * A clock and timers that move only when told, for running the broadcaster through simulated hours in
 * tests and benchmarks. Firing a timer waits for the broadcaster to set its next one (it always does
 * while it runs: the next tick, or the next dry run), so a tick's requests finish before time moves on.
 */
/** Real time a fired timer may take to set the next one. */
const STALL_MS = 60_000

export class SimulatedClock implements Timers {
  now: number
  private timers: Array<{ due: number; callback: () => void; id: number }> = []
  private ids = 0
  private onSet: (() => void) | null = null

  constructor(start: number) {
    this.now = start
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.ids
    this.timers.push({ due: this.now + ms, callback, id })
    const waiting = this.onSet
    this.onSet = null
    waiting?.()
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle)
  }

  /** Fires, in order, every timer due by `time` (and those they set that fall due by then); ends at `time`. */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      let next: (typeof this.timers)[number] | undefined
      for (const timer of this.timers)
        if (timer.due <= time && (next === undefined || timer.due < next.due)) next = timer
      if (next === undefined) break
      this.timers = this.timers.filter((timer) => timer !== next)
      this.now = Math.max(this.now, next.due)
      const reset = new Promise<void>((resolve) => (this.onSet = resolve))
      next.callback()
      // A timer that sets no other (the broadcaster stopped) must not hang the simulation.
      let guard: ReturnType<typeof globalThis.setTimeout> | undefined
      const stalled = new Promise<never>((_, reject) => {
        guard = globalThis.setTimeout(() => reject(new Error('the broadcaster set no next timer')), STALL_MS)
      })
      try {
        await Promise.race([reset, stalled])
      } finally {
        globalThis.clearTimeout(guard)
      }
    }
    this.now = Math.max(this.now, time)
  }
}
