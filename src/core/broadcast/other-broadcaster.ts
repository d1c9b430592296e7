// Another Headcount broadcasting to the same app doubles every message. Before switching on, the
// marker channel is asked who else holds it (found: this one waits, blocked, unless forced); while on,
// the live marker reveals one that starts later, and both consoles say so.
import type { BroadcastStatus } from '../../shared/broadcast.ts'
import type { Logger } from '../logger.ts'
import { describeMarker, type Marker } from './marker.ts'

export class OtherBroadcaster {
  private readonly marker: Marker
  private readonly logger: Logger
  private other: { detectedAt: number; detail: string } | null = null

  constructor(marker: Marker, logger: Logger) {
    this.marker = marker
    this.logger = logger
  }

  /** Who else broadcasts to this app now (a marker id), or null; not knowing counts as no one. */
  async findOther(signal: AbortSignal): Promise<string | null> {
    try {
      return (await this.marker.othersNow({ signal }))[0] ?? null
    } catch (error) {
      // Not knowing is no reason to stay silent: the live marker still reveals a rival later.
      if (!signal.aborted) this.logger.warn(`could not check for another broadcaster: ${(error as Error).message}`)
      return null
    }
  }

  /** This one waits: `otherId` was already broadcasting. */
  blockedBy(otherId: string, now: number): void {
    this.marker.release()
    this.other = {
      detectedAt: now,
      detail: `${capitalise(describeMarker(otherId))} is already broadcasting to this app`,
    }
  }

  /** This one broadcasts: it holds the marker, so others see it. */
  claim(): void {
    this.other = null
    this.marker.hold()
  }

  /** Off: the marker is let go, and no warning stands. */
  release(): void {
    this.marker.release()
    this.other = null
  }

  /** The live marker changed: someone joined it, or its connection came or went. */
  markerChanged(running: boolean, blocked: boolean, now: number): void {
    const others = this.marker.othersLive
    if (running && others.length > 0 && this.other === null) {
      // Both consoles keep going only if forced; otherwise the operator sees the warning on both.
      this.other = {
        detectedAt: now,
        detail: `${capitalise(describeMarker(others[0] as string))} is also broadcasting to this app: every message is doubled`,
      }
    } else if (others.length === 0 && !blocked) {
      this.other = null
    }
  }

  status(): Pick<BroadcastStatus, 'otherBroadcaster' | 'marker'> {
    return { otherBroadcaster: this.other, marker: this.marker.state }
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
