// A tick's planning, cut into slices of a few milliseconds: at 10,000 rooms building every event in one
// go held the event loop for longer than the engine allows (50 ms), and the sync, the web UI's socket
// and HTTP answers all wait on the same loop. Between slices the loop runs whatever is waiting; the
// tick itself keeps working from the snapshot of counts it read before its first slice.
import { yieldToEventLoop } from '../event-loop.ts'

/** Work runs for this long before letting the event loop run (the engine's own slices are 8 ms). */
export const TICK_SLICE_MS = 8

/** The clock is read once per this many items (a power of two): reading it per item costs more than the item. */
const CHECK_EVERY = 64

export interface TickSlicing {
  /** How long a slice runs (default TICK_SLICE_MS; 0 pauses at every check, for tests). */
  sliceMs?: number
  /** How to let the loop run (default: setImmediate); a test can do something there, such as a sync. */
  pause?: () => Promise<void>
}

export class TickSlicer {
  private readonly sliceMs: number
  private readonly pauseFor: () => Promise<void>
  private readonly current: () => boolean
  private sliceStart = performance.now()
  private items = 0
  /** Pauses taken, for tests and figures. */
  pauses = 0

  /** `current` says, after each pause, whether the tick is still wanted (not switched off or reconfigured). */
  constructor(current: () => boolean, { sliceMs = TICK_SLICE_MS, pause = yieldToEventLoop }: TickSlicing = {}) {
    this.current = current
    this.sliceMs = sliceMs
    this.pauseFor = pause
  }

  /** Counts one item; true when the slice is used up and the caller should `pause()`. */
  due(): boolean {
    return (++this.items & (CHECK_EVERY - 1)) === 0 && performance.now() - this.sliceStart >= this.sliceMs
  }

  /** Lets the event loop run; resolves false when the tick is no longer wanted (its work should stop). */
  async pause(): Promise<boolean> {
    this.pauses++
    await this.pauseFor()
    this.sliceStart = performance.now()
    return this.current()
  }
}
