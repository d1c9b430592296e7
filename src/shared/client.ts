import type { EventName, EventPayload, InputArgs, MethodName, MethodResult } from './contract.ts'
import { ApiError, isEnvelope, type Envelope } from './envelope.ts'

/**
 * What the renderer needs from a transport. Electron's preload (`window.headcount`) and the web-mode
 * WebSocket both provide exactly this, so the UI never knows which one it got.
 */
export interface Transport {
  readonly kind: 'ipc' | 'websocket'
  invoke(method: string, input: unknown): Promise<Envelope<unknown>>
  subscribe(event: string, listener: (payload: unknown) => void): () => void
}

export interface Api {
  readonly transport: Transport['kind']
  /** Calls a contract method; resolves with its result or rejects with an `ApiError`. */
  call<M extends MethodName>(method: M, ...input: InputArgs<M>): Promise<MethodResult<M>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

export function createApi(transport: Transport): Api {
  return {
    transport: transport.kind,
    async call(method, ...input) {
      let envelope: unknown
      try {
        envelope = await transport.invoke(method, input[0])
      } catch (error) {
        throw new ApiError('transport', `Could not reach the engine: ${(error as Error).message}`)
      }
      if (!isEnvelope(envelope)) throw new ApiError('transport', `Malformed reply to ${method}`)
      if (!envelope.ok) throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.issues)
      return envelope.value as never
    },
    on(event, listener) {
      return transport.subscribe(event, listener as (payload: unknown) => void)
    },
  }
}
