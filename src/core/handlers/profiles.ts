import { ApiError } from '../../shared/envelope.ts'
import { DEFAULT_CONVENTION } from '../../shared/naming.ts'
import type { ConnectionTestInput, ConnectionTestResult } from '../../shared/profiles.ts'
import { removeSpendLedger } from '../broadcast/spend-ledger.ts'
import { downloadChannelList } from '../channels/channel-list-download.ts'
import { ChannelsClient } from '../channels/client.ts'
import { toFailure } from '../channels/errors.ts'
import { runnableConvention } from '../convention-safety.ts'
import { PresenceState } from '../presence/presence-state.ts'
import { checkedConventionInfo } from './convention.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** Saved connections: list, save, delete, and try one before saving. */
export function profileHandlers(
  context: EngineContext,
): HandlerGroup<'profiles.list' | 'profiles.save' | 'profiles.delete' | 'profiles.test'> {
  const { profiles, connection, friends } = context
  return {
    'profiles.list': () => profiles.list(),
    'profiles.save': async (input) => {
      if (input.convention) await checkedConventionInfo(input.convention)
      const wasOn = input.id !== undefined && connection.isActive(input.id) && profiles.get(input.id).broadcast.enabled
      const saved = await profiles.save(input)
      // Pointed at another app, it was switched off (the operator is asked again): the broadcaster
      // running now stops at once rather than at the next connect.
      if (wasOn && !saved.broadcast.enabled) {
        await connection.broadcaster?.configure(saved.broadcast)
        // Switching off is an event in the history.
        await connection.recordSetup(profiles.get(saved.id))
      }
      return saved
    },
    'profiles.delete': async ({ id }) => {
      // Disconnected first: the broadcaster writes its spend as it closes.
      if (connection.isActive(id)) await connection.disconnect()
      // Settings (with its broadcast settings, alert rules and webhook setup) and the secret.
      await profiles.delete(id)
      // Then every file kept for it; its history stays, the record of what was watched.
      try {
        friends.clear(id)
        removeSpendLedger(context.options.dataDir, id)
      } catch (error) {
        throw new ApiError(
          'failed',
          `The connection is deleted, but some of its files could not be removed: ${(error as Error).message}`,
        )
      }
      return null
    },
    'profiles.test': (input) => testConnection(context, input),
  }
}

/** One channel list from a saved profile or form values, read like a sync would read it. */
async function testConnection(context: EngineContext, input: ConnectionTestInput): Promise<ConnectionTestResult> {
  const { profiles } = context
  const saved = input.id === undefined ? undefined : profiles.get(input.id)
  const connection = input.connection ?? saved?.connection
  const secret = input.secret ?? (saved ? (await profiles.credentials(saved.id)).secret : undefined)
  if (!connection || !secret)
    throw new ApiError('bad-request', 'Give a saved profile id, or a connection with its secret')
  const convention = await runnableConvention(saved?.convention ?? DEFAULT_CONVENTION)
  const client = new ChannelsClient(
    { ...connection, secret },
    { timeoutMs: context.options.requestTimeoutMs ?? 10_000 },
  )
  try {
    // The same reader the sync uses, so "test" and "connect" agree on what a valid answer is.
    const { result, response } = await downloadChannelList(client, convention.prefix, (body) =>
      new PresenceState(convention).ingestChannelList(body, Date.now(), { listChanges: false }),
    )
    return {
      ok: true,
      endpoint: client.endpoint,
      latencyMs: Math.round(response.latencyMs),
      channels: result.channels,
    }
  } catch (error) {
    const failure = toFailure(error, client.endpoint)
    return {
      ok: false,
      endpoint: client.endpoint,
      failure: { kind: failure.kind, message: failure.message, hint: failure.hint },
    }
  }
}
