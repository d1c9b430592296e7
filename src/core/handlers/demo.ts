import type { Status } from '../../shared/status.ts'
import { DEMO_PROFILE } from '../demo.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** The first-run demo: a crowd the shell starts, saved as a profile and connected to like any app. */
export function demoHandlers(context: EngineContext): HandlerGroup<'demo.start' | 'demo.stop'> {
  return {
    'demo.start': () => startDemo(context),
    'demo.stop': () => stopDemo(context),
  }
}

async function startDemo(context: EngineContext): Promise<Status> {
  const { demo, profiles, connection } = context
  await stopDemo(context)
  const running = await demo.start()
  const { secret, ...target } = running.credentials
  const existing = profiles.all().find((profile) => profile.name === DEMO_PROFILE)
  const profile = await profiles.save({
    id: existing?.id,
    name: DEMO_PROFILE,
    connection: target,
    secret,
    convention: running.convention,
  })
  connection.setStatus({ demo: true })
  return connection.connect(profile.id)
}

async function stopDemo({ demo, profiles, connection }: EngineContext): Promise<Status> {
  const running = demo.release()
  if (!running) return connection.status
  const demoProfile = profiles.all().find((profile) => profile.name === DEMO_PROFILE)
  if (demoProfile && connection.isActive(demoProfile.id)) await connection.disconnect()
  await running.stop()
  connection.setStatus({ demo: false })
  return connection.status
}
