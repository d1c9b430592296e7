import { applyBroadcastPatch, type BroadcastSettings, type BroadcastSettingsPatch } from '../../shared/broadcast.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** The broadcaster's settings, and a preview of what it would send for a room. */
export function broadcastHandlers(context: EngineContext): HandlerGroup<'broadcast.set' | 'broadcast.preview'> {
  const { connection } = context
  return {
    'broadcast.set': ({ id, settings }) => setBroadcast(context, id, settings),
    'broadcast.preview': ({ room }) => connection.requireBroadcaster().preview(room),
  }
}

async function setBroadcast(
  { profiles, connection }: EngineContext,
  id: string,
  patch: BroadcastSettingsPatch,
): Promise<BroadcastSettings> {
  const next = applyBroadcastPatch(profiles.get(id).broadcast, patch)
  const profile = profiles.update(id, { broadcast: next })
  if (connection.isActive(id)) {
    await connection.broadcaster?.configure(next)
    // Switching on or off is an event in the history.
    await connection.recordSetup(profile)
  }
  return next
}
