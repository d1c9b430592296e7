import { ApiError } from '../../shared/envelope.ts'
import { DEFAULT_CONVENTION } from '../../shared/naming.ts'
import type { ConnectionTestInput, ConnectionTestResult } from '../../shared/profiles.ts'
import { ChannelsClient } from '../channels/client.ts'
import { toFailure, unreadableListError } from '../channels/errors.ts'
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
      return profiles.save(input)
    },
    'profiles.delete': async ({ id }) => {
      if (connection.isActive(id)) await connection.disconnect()
      await profiles.delete(id)
      friends.clear(id)
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
    const response = await client.listChannels(convention.prefix)
    // The same reader the sync uses, so "test" and "connect" agree on what a valid answer is.
    const result = await new PresenceState(convention)
      .ingestChannelList(response.body, Date.now(), { listChanges: false })
      .catch((error: unknown) => {
        throw unreadableListError(error, response.body, client.endpoint)
      })
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
