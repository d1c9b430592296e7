import { join } from 'node:path'
import type { AppInfo } from '../shared/app-info.ts'
import type { Status } from '../shared/status.ts'
import { FriendStore } from './broadcast/friend-store.ts'
import { ConnectionManager } from './connection-manager.ts'
import { prepareDataDir, removeFilesOfDeletedConnections } from './data-files.ts'
import { DemoSlot, type DemoLauncher } from './demo.ts'
import { EngineEvents } from './events.ts'
import { ExportJobs } from './export/export-jobs.ts'
import { alertHandlers } from './handlers/alerts.ts'
import { appHandlers } from './handlers/app.ts'
import { broadcastHandlers } from './handlers/broadcast.ts'
import { connectionHandlers } from './handlers/connection.ts'
import type { EngineContext } from './handlers/context.ts'
import { conventionHandlers } from './handlers/convention.ts'
import { demoHandlers } from './handlers/demo.ts'
import { exportHandlers } from './handlers/export.ts'
import { friendHandlers } from './handlers/friends.ts'
import { historyHandlers } from './handlers/history.ts'
import { profileHandlers } from './handlers/profiles.ts'
import { silentLogger, type Logger } from './logger.ts'
import { ProfileService } from './profiles.ts'
import type { EngineHandlers } from './rpc/dispatch.ts'
import type { SecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'

export interface EngineOptions {
  version: string
  runtime: AppInfo['runtime']
  electronVersion?: string | null
  dataDir: string
  settings: SettingsStore
  secrets: SecretStore
  /**
   * Starts the first-run demo crowd; the shell decides how (Headcount's shells run the embedded
   * emulator). `null`: `demo.start` answers that the demo is not available.
   */
  demo: DemoLauncher | null
  logger?: Logger
  /** Injected so tests can pin the clock. */
  now?: () => Date
  /** Timeout for each request to the Channels API. */
  requestTimeoutMs?: number
}

/**
 * Headcount's engine: everything the UI can ask for, independent of Electron. The desktop shell and
 * web mode both construct one and bind `handlers` and `events` to their transport.
 *
 * This is the composition root: it builds the parts (profiles, friends, exports, the connection being
 * watched, the demo) and joins the handler groups of handlers/, one per domain, into the table the
 * contract's dispatch runs.
 */
export class Engine {
  readonly events: EngineEvents
  readonly handlers: EngineHandlers
  readonly profiles: ProfileService
  private readonly connection: ConnectionManager
  private readonly demo: DemoSlot
  private readonly exports: ExportJobs
  private readonly logger: Logger
  private readonly dataDir: string

  constructor(options: EngineOptions) {
    prepareDataDir(options.dataDir)
    this.dataDir = options.dataDir
    this.logger = options.logger ?? silentLogger
    this.removeFilesOfDeletedConnections(options.settings)
    this.events = new EngineEvents(this.logger)
    const now = options.now ?? (() => new Date())
    this.profiles = new ProfileService(options.settings, options.secrets, (settings) =>
      this.events.emit('settings.changed', settings),
    )
    this.exports = new ExportJobs(
      this.exportsDir,
      (progress) => this.events.emit('export.progress', progress),
      this.logger,
    )
    const friends = new FriendStore(options.dataDir, this.logger)
    this.demo = new DemoSlot(options.demo, this.profiles)
    this.connection = new ConnectionManager({
      dataDir: options.dataDir,
      settings: options.settings,
      profiles: this.profiles,
      friends,
      exports: this.exports,
      events: this.events,
      logger: this.logger,
      now,
      requestTimeoutMs: options.requestTimeoutMs,
      initialMessage:
        [options.settings.recoveryNote, options.secrets.recoveryNote].filter(Boolean).join('. ') || 'Not connected',
      hooks: this.demo,
    })
    const context: EngineContext = {
      options,
      events: this.events,
      profiles: this.profiles,
      friends,
      exports: this.exports,
      connection: this.connection,
      demo: this.demo,
      logger: this.logger,
      now,
    }
    this.handlers = {
      ...appHandlers(context),
      ...profileHandlers(context),
      ...connectionHandlers(context),
      ...conventionHandlers(context),
      ...historyHandlers(context),
      ...exportHandlers(context),
      ...broadcastHandlers(context),
      ...friendHandlers(context),
      ...demoHandlers(context),
      ...alertHandlers(context),
    }
  }

  /** Reconnects to the profile that was active when the app last stopped. */
  resume(): Promise<void> {
    return this.connection.resume()
  }

  setStatus(update: Partial<Omit<Status, 'at'>>): void {
    this.connection.setStatus(update)
  }

  /** Files a finished export wrote, for shells that copy or serve them. */
  exportFile(id: string): string | null {
    return this.exports.fileOf(id)
  }

  /**
   * Connections deleted by versions before deleting one removed all its files left their friend graph
   * copies and spend ledgers behind. Swept at start, only when the settings were read as stored (after
   * an unreadable settings file was reset, every connection would look deleted); history is never touched.
   */
  private removeFilesOfDeletedConnections(settings: SettingsStore): void {
    if (settings.stored !== true || settings.recoveryNote !== null) return
    try {
      const ids = new Set(settings.read().profiles.map((profile) => profile.id))
      const removed = removeFilesOfDeletedConnections(this.dataDir, ids)
      if (removed.length > 0)
        this.logger.info(
          `Removed ${removed.length} file${removed.length === 1 ? '' : 's'} of connections deleted earlier: ${removed.join(', ')}`,
        )
    } catch (error) {
      this.logger.warn(`Files of connections deleted earlier could not all be removed: ${(error as Error).message}`)
    }
  }

  get exportsDir(): string {
    return join(this.dataDir, 'exports')
  }

  async close(): Promise<void> {
    await this.connection.close()
    await this.demo.stop()
    this.logger.info('engine stopped')
  }
}
