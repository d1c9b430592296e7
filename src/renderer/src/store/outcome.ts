import { ApiError, type ApiErrorBody, type Envelope } from '../../../shared/envelope.ts'

/**
 * What a store action answers: the contract's own envelope, so a failure keeps the engine's code and
 * words (and its issues) all the way to the control that asked.
 */
export type Outcome<T> = Envelope<T>

/** A failed call as an envelope's error: the engine's own when it gave one. */
export function failureOf(error: unknown): ApiErrorBody {
  if (error instanceof ApiError) return error.toBody()
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) }
}

/** A failed call in words: the engine's own message when it gave one. */
export function describeError(error: unknown): string {
  return failureOf(error).message
}

/** Runs a call and answers with its outcome instead of throwing. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() }
  } catch (error) {
    return { ok: false, error: failureOf(error) }
  }
}

/** The failure in words, or null when it worked: what a control shows beside itself. */
export function failureText(outcome: Outcome<unknown>): string | null {
  return outcome.ok ? null : outcome.error.message
}
