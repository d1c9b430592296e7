import type { EngineContext, HandlerGroup } from './context.ts'

/** Watching an app: connect, disconnect, poll now, and how it syncs. */
export function connectionHandlers(
  context: EngineContext,
): HandlerGroup<'connection.connect' | 'connection.disconnect' | 'sync.now' | 'sync.setOptions'> {
  const { connection, profiles } = context
  return {
    'connection.connect': ({ id }) => connection.connect(id),
    'connection.disconnect': () => connection.disconnect(),
    'sync.now': () => {
      connection.requireMonitor().pollNow()
      return null
    },
    'sync.setOptions': async ({ id, options: sync }) => {
      profiles.update(id, { sync })
      await connection.applySyncOptions(id, sync)
      return sync
    },
  }
}
