// Against Headcount's emulator, its own exact count of messages next to the broadcaster's: read every
// few seconds between ticks, both counted from the same moment (switching on, or the emulator's counts
// being reset), so the console can show that the two agree.
import type { BroadcastStatus } from '../../shared/broadcast.ts'
import type { ServerKind, ServerProbe } from './server-probe.ts'

/** How often the emulator's own count is read while broadcasting to it. */
const MEASURE_EVERY_MS = 5000

interface Reading {
  since: number
  emulatorBase: number
  oursBase: number
  at: number
  emulator: number
  /** Ours at the same reading: both figures cover the same stretch of time, so they compare. */
  ours: number
}

export class EmulatorComparison {
  private readonly probe: ServerProbe | undefined
  private readonly now: () => number
  /** Messages the broadcaster counted since connecting (never reset). */
  private readonly ours: () => number
  private kind: ServerKind | 'unknown' = 'unknown'
  /** The emulator's count and ours when the comparison started; then the latest reading. */
  private reading: Reading | null = null
  private inFlight = false

  constructor(probe: ServerProbe | undefined, now: () => number, ours: () => number) {
    this.probe = probe
    this.now = now
    this.ours = ours
  }

  /** What the server is; unknown until the probe said so (and without a probe). */
  get target(): ServerKind | 'unknown' {
    return this.kind
  }

  /** Asks the probe what the server is, and calls `known` once it said. */
  identify(known: () => void): void {
    this.probe
      ?.identify()
      .then((kind) => {
        this.kind = kind
        known()
      })
      .catch(() => {})
  }

  /** Whether a first reading was taken since the last `restart`. */
  get started(): boolean {
    return this.reading !== null
  }

  /** Starts over: the next reading is the new base (on switching on or off). */
  restart(): void {
    this.reading = null
  }

  /**
   * Reads the emulator's count if it is the emulator and the last reading is a few seconds old;
   * `current` says whether the result still matters once it comes (nothing switched meanwhile).
   */
  async read(signal: AbortSignal, current: () => boolean): Promise<void> {
    const probe = this.probe
    if (probe === undefined || this.kind !== 'emulator' || this.inFlight) return
    const now = this.now()
    if (this.reading !== null && now - this.reading.at < MEASURE_EVERY_MS) return
    this.inFlight = true
    try {
      const emulator = await probe.emulatorMessages(signal)
      if (!current()) return
      const at = this.now()
      if (this.reading === null || emulator < this.reading.emulator) {
        // The first reading, or the emulator's counts were reset: start comparing from here.
        const ours = this.ours()
        this.reading = { since: at, emulatorBase: emulator, oursBase: ours, at, emulator, ours }
      } else {
        this.reading.at = at
        this.reading.emulator = emulator
        this.reading.ours = this.ours()
      }
    } catch {
      // No reading this time; the last one stands.
    } finally {
      this.inFlight = false
    }
  }

  status(): BroadcastStatus['measured'] {
    const reading = this.reading
    if (reading === null) return null
    return {
      since: reading.since,
      at: reading.at,
      emulatorMessages: reading.emulator - reading.emulatorBase,
      headcountMessages: reading.ours - reading.oursBase,
    }
  }
}
