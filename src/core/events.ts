import { contract, type EventName, type EventPayload } from '../shared/contract.ts'

export type AnyEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

/**
 * The engine's outbound events. Transports subscribe once with `onAny` and forward to their clients;
 * payloads are checked against the contract here so no transport can carry a malformed event.
 */
export class EngineEvents {
  private readonly listeners = new Set<AnyEventListener>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = contract.events[event].parse(payload) as EventPayload<E>
    for (const listener of [...this.listeners]) listener(event, checked)
  }

  onAny(listener: AnyEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}
