import {
  applyBroadcastPatch,
  type BroadcastSettings,
  type BroadcastSettingsPatch,
  roomTemplateConflict,
} from '../../shared/broadcast.ts'
import { ApiError } from '../../shared/envelope.ts'
import { compileConvention } from '../../shared/naming.ts'
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
  const profile = profiles.get(id)
  const next = applyBroadcastPatch(profile.broadcast, patch)
  if (patch.channelTemplate !== undefined) {
    // A room channel that reads as a participant would be counted as a person in every room.
    const conflict = roomTemplateConflict(next.channelTemplate, compileConvention(profile.convention))
    if (conflict !== null) {
      throw new ApiError('bad-request', conflict, [{ path: 'settings.channelTemplate', message: conflict }])
    }
  }
  const updated = profiles.update(id, { broadcast: next })
  if (connection.isActive(id)) {
    await connection.broadcaster?.configure(next)
    // Switching on or off is an event in the history.
    await connection.recordSetup(updated)
  }
  return next
}
