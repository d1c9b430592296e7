import type { Credentials } from '../shared/connection.ts'
import { ApiError } from '../shared/envelope.ts'
import type { NamingConvention } from '../shared/naming.ts'

/** The profile the first-run demo connects through. */
export const DEMO_PROFILE = 'Demo (embedded emulator)'

/** A demo crowd running where the engine can reach it, connected to like any app. */
export interface RunningDemo {
  credentials: Credentials
  /** How its channel names read. */
  convention: NamingConvention
  stop(): Promise<void>
}

/**
 * How a shell starts the first-run demo (the embedded emulator and a churning crowd, in Headcount's
 * shells): the engine never starts one itself, it only connects to what it is handed.
 */
export interface DemoLauncher {
  start(): Promise<RunningDemo>
}

/** The demo the engine is connected to, if any: at most one at a time. */
export class DemoSlot {
  private readonly launcher: DemoLauncher | null
  private running: RunningDemo | null = null

  constructor(launcher: DemoLauncher | null) {
    this.launcher = launcher
  }

  /** Starts a demo; the caller stops the previous one first (see `release`). */
  async start(): Promise<RunningDemo> {
    if (!this.launcher) throw new ApiError('failed', 'The demo is not available in this Headcount')
    const demo = await this.launcher.start()
    this.running = demo
    return demo
  }

  /** Hands the running demo back (and forgets it), for the caller to stop once nothing uses it. */
  release(): RunningDemo | null {
    const demo = this.running
    this.running = null
    return demo
  }
}
