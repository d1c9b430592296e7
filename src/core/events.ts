import { z } from 'zod'
import { contract, type EventName, type EventPayload } from '../shared/contract.ts'
import { silentLogger, type Logger } from './logger.ts'

export type AnyEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

/**
 * The engine's outbound events. Transports subscribe once with `onAny` and forward to their clients;
 * payloads are checked against the contract here so no transport can carry a malformed event.
 *
 * An event that fails the check is logged with its issues and dropped, never thrown: emitting is the
 * last step of a sync (after the tick is stored), and a field that drifted from its schema must cost
 * the UI one update, not the sync and its history.
 */
export class EngineEvents {
  private readonly listeners = new Set<AnyEventListener>()
  private readonly logger: Logger

  constructor(logger: Logger = silentLogger) {
    this.logger = logger
  }

  /** Delivers the event to every listener; `false` when it did not match the contract and was dropped. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): boolean {
    const checked = contract.events[event].safeParse(payload)
    if (!checked.success) {
      this.logger.error(
        `The ${event} event does not match the contract and was dropped:\n${z.prettifyError(checked.error)}`,
      )
      return false
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event, checked.data as EventPayload<E>)
      } catch (error) {
        // A transport that fails to pass one on must not stop the others, nor the sync that emitted it.
        this.logger.error(`A listener failed on the ${event} event`, error)
      }
    }
    return true
  }

  onAny(listener: AnyEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}
