import { z } from 'zod'
import {
  contract,
  isMethodName,
  type MethodName,
  type ShellMethodName,
  type MethodParsedInput,
  type MethodResult,
} from '../../shared/contract.ts'
import { ApiError, fail, ok, type Envelope } from '../../shared/envelope.ts'
import { describeIssues, toApiIssues } from '../../shared/issues.ts'
import type { Logger } from '../logger.ts'

/** One handler per contract method; each receives input that already passed the method's schema. */
export type Handlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodResult<M>> | MethodResult<M>
}

/** What an engine answers: every method but those its shell answers (which engine is shown). */
export type EngineHandlers = Omit<Handlers, ShellMethodName>

/**
 * The single entry point both transports use: checks the method exists, validates the input against
 * the contract, runs the handler and validates what it returns. Never throws; every outcome is an
 * envelope the caller can send as is.
 */
export async function dispatch(
  handlers: Handlers,
  method: unknown,
  rawInput: unknown,
  logger?: Logger,
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : typeof method
    return fail('unknown-method', `Unknown method ${shown}`)
  }
  const spec = contract.methods[method]
  const input = spec.input.safeParse(rawInput)
  if (!input.success) {
    return fail('bad-request', `Invalid input for ${method}: ${describeIssues(input.error)}`, toApiIssues(input.error))
  }
  let result: unknown
  try {
    const handler = handlers[method] as (input: unknown) => unknown
    result = await handler(input.data)
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toBody() }
    logger?.error(`${method} failed unexpectedly`, error)
    const message = error instanceof Error ? error.message : String(error)
    return fail('internal', `${method} failed unexpectedly: ${message}`)
  }
  const output = spec.output.safeParse(result)
  if (!output.success) {
    logger?.error(`${method} returned a result outside the contract:\n${z.prettifyError(output.error)}`)
    return fail('internal', `${method} returned a result outside the contract`)
  }
  return ok(output.data)
}
