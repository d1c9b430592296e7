import type { Status } from '../../shared/status.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/**
 * The first-run demo: a crowd the shell starts, saved as a profile and watched like any app. Its
 * crowd runs while its profile is watched (see DemoSlot); starting or stopping it changes no other
 * connection's history beyond what watching another app does.
 */
export function demoHandlers(context: EngineContext): HandlerGroup<'demo.start' | 'demo.stop'> {
  return {
    'demo.start': () => startDemo(context),
    'demo.stop': () => stopDemo(context),
  }
}

async function startDemo({ demo, connection }: EngineContext): Promise<Status> {
  const id = await demo.ensureProfile()
  if (connection.isActive(id) && connection.monitor) return connection.status
  return connection.connect(id)
}

async function stopDemo({ demo, connection }: EngineContext): Promise<Status> {
  const id = demo.profileId()
  // Only the demo's own connection stops; another app being watched carries on untouched.
  if (id !== null && connection.isActive(id))
    return connection.disconnect({ cause: 'disconnected', detail: 'The demo was stopped' })
  await demo.stop()
  return connection.status
}
