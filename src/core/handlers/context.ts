import type { MethodName } from '../../shared/contract.ts'
import type { FriendStore } from '../broadcast/friend-store.ts'
import type { ConnectionManager } from '../connection-manager.ts'
import type { DemoSlot } from '../demo.ts'
import type { EngineOptions } from '../engine.ts'
import type { EngineEvents } from '../events.ts'
import type { ExportJobs } from '../export/export-jobs.ts'
import type { Logger } from '../logger.ts'
import type { ProfileService } from '../profiles.ts'
import type { Handlers } from '../rpc/dispatch.ts'

/** The engine's parts, as the handler groups reach them. */
export interface EngineContext {
  options: EngineOptions
  events: EngineEvents
  profiles: ProfileService
  friends: FriendStore
  exports: ExportJobs
  connection: ConnectionManager
  demo: DemoSlot
  logger: Logger
  now: () => Date
}

/** The handlers of some contract methods: each domain's module returns one such group. */
export type HandlerGroup<M extends MethodName> = Pick<Handlers, M>
