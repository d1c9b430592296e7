import type { Envelope } from '../shared/envelope.ts'

/** The shape of `window.headcount`, shared by the preload that builds it and the renderer that uses it. */
export interface HeadcountBridge {
  invoke(method: string, input: unknown): Promise<Envelope<unknown>>
  subscribe(event: string, listener: (payload: unknown) => void): () => void
}
