import { ApiError } from '../../shared/envelope.ts'
import {
  ConventionError,
  conventionLabel,
  previewConvention,
  type CompiledConvention,
  type NamingConvention,
} from '../../shared/naming.ts'
import { conventionImpact } from '../convention-impact.ts'
import { compileSafeConvention } from '../convention-safety.ts'
import { IngestAbortedError } from '../presence/errors.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** A profile's naming convention: change it (checked, and the sync restarted), preview it on samples. */
export function conventionHandlers(
  context: EngineContext,
): HandlerGroup<'convention.set' | 'convention.preview' | 'convention.impact'> {
  const { profiles, connection } = context
  return {
    'convention.set': async ({ id, convention }) => {
      const info = await checkedConventionInfo(convention)
      profiles.update(id, { convention })
      await connection.restartIfActive(id, {
        cause: 'convention',
        detail: `Channels are read again with ${conventionLabel(convention)}`,
      })
      return info
    },
    'convention.impact': async ({ id, convention }) => {
      profiles.get(id)
      const compiled = await compileSafeConvention(convention).catch((error: unknown) => {
        throw refusal(error)
      })
      const monitor = connection.isActive(id) ? connection.monitor : null
      if (!monitor) return { live: false, channels: 0, changed: 0, examples: [] }
      const presence = monitor.presence
      try {
        const impact = await conventionImpact(
          (visit) => presence.forEachPresentChannel(visit),
          presence.namingConvention,
          compiled,
        )
        return { live: true, ...impact }
      } catch (error) {
        if (error instanceof IngestAbortedError)
          throw new ApiError('failed', 'The channels changed while they were being compared; try again')
        throw error
      }
    },
    'convention.preview': async ({ convention, samples }) => {
      try {
        // The same check as saving, so the preview never runs a pattern that saving would refuse.
        const compiled = await compileSafeConvention(convention)
        return {
          prefix: compiled.prefix,
          separatorWarning: compiled.separatorWarning,
          error: null,
          rows: previewConvention(compiled, samples),
        }
      } catch (error) {
        if (!(error instanceof ConventionError)) throw error
        return { prefix: null, separatorWarning: null, error: error.message, rows: [] }
      }
    },
  }
}

/**
 * The convention's prefix and warnings; refuses one that does not compile, or a regex not proved free
 * of catastrophic backtracking: for saving.
 */
export async function checkedConventionInfo(convention: NamingConvention) {
  try {
    return describeConvention(await compileSafeConvention(convention))
  } catch (error) {
    throw refusal(error)
  }
}

function describeConvention(compiled: CompiledConvention) {
  return { convention: compiled.convention, prefix: compiled.prefix, separatorWarning: compiled.separatorWarning }
}

function refusal(error: unknown): unknown {
  return error instanceof ConventionError
    ? new ApiError('bad-request', error.message, [{ path: 'convention', message: error.message }])
    : error
}
