import type { FriendsImportResult } from '../../shared/broadcast.ts'
import { ApiError } from '../../shared/envelope.ts'
import { parseFriendsCsv } from '../broadcast/friends-csv.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** A profile's friend graph (for friend rosters): import from CSV, summary, clear, and one user's friends. */
export function friendHandlers(
  context: EngineContext,
): HandlerGroup<'friends.import' | 'friends.get' | 'friends.clear' | 'friends.of'> {
  const { profiles, friends, connection } = context
  return {
    'friends.import': ({ id, csv, mutual }) => importFriends(context, id, csv, mutual),
    'friends.get': ({ id }) => {
      profiles.get(id)
      return friends.summary(id)
    },
    'friends.clear': ({ id }) => {
      profiles.get(id)
      friends.clear(id)
      if (connection.isActive(id)) connection.broadcaster?.setGraph(null)
      return friends.summary(id)
    },
    'friends.of': ({ room, user }) => connection.requireBroadcaster().friendsOf(room, user),
  }
}

function importFriends(
  { profiles, friends, connection, now }: EngineContext,
  id: string,
  csv: string,
  mutual: boolean,
): FriendsImportResult {
  profiles.get(id)
  const parsed = parseFriendsCsv(csv, mutual)
  if (!parsed.ok) return { ok: false, errors: parsed.errors, errorCount: parsed.errorCount }
  try {
    friends.save(id, parsed.graph, mutual, now().toISOString())
  } catch (error) {
    throw new ApiError('failed', `The friend graph could not be saved: ${(error as Error).message}`)
  }
  if (connection.isActive(id)) connection.broadcaster?.setGraph(parsed.graph)
  return { ok: true, users: parsed.graph.users, edges: parsed.graph.edges }
}
