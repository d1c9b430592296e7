import { ApiError } from '../shared/envelope.ts'
import type { Status } from '../shared/status.ts'
import type { SyncStatus } from '../shared/sync.ts'
import type { Broadcaster } from './broadcast/broadcaster.ts'
import { createBroadcaster } from './broadcast/create-broadcaster.ts'
import type { FriendStore } from './broadcast/friend-store.ts'
import { runnableConvention } from './convention-safety.ts'
import type { EngineEvents } from './events.ts'
import type { ExportJobs } from './export/export-jobs.ts'
import { HistoryStore } from './history/history-store.ts'
import { historyPathFor } from './history/paths.ts'
import type { Logger } from './logger.ts'
import { Monitor } from './monitor.ts'
import type { ProfileService } from './profiles.ts'
import type { SettingsStore } from './settings-store.ts'

export interface ConnectionManagerOptions {
  dataDir: string
  settings: SettingsStore
  profiles: ProfileService
  friends: FriendStore
  exports: ExportJobs
  events: EngineEvents
  logger: Logger
  now: () => Date
  /** Timeout for each request to the Channels API. */
  requestTimeoutMs?: number
  /** What the status says before the first connection. */
  initialMessage: string
}

/**
 * The one app being watched, if any: its monitor (sync), history and broadcaster, started and stopped
 * together, one switch at a time, and the status that describes them.
 */
export class ConnectionManager {
  private readonly options: ConnectionManagerOptions
  private current: Status
  private monitorNow: Monitor | null = null
  private historyNow: HistoryStore | null = null
  private broadcasterNow: Broadcaster | null = null
  /** Serialises connect/disconnect so two clicks never start two monitors. */
  private switching: Promise<unknown> = Promise.resolve()

  constructor(options: ConnectionManagerOptions) {
    this.options = options
    this.current = {
      connection: 'disconnected',
      profile: null,
      profileId: null,
      message: options.initialMessage,
      at: options.now().toISOString(),
      sync: null,
      demo: false,
    }
  }

  get status(): Status {
    return this.current
  }

  setStatus(update: Partial<Omit<Status, 'at'>>): void {
    this.current = { ...this.current, ...update, at: this.options.now().toISOString() }
    this.options.events.emit('status', this.current)
  }

  /** Whether `id` is the profile being watched. */
  isActive(id: string): boolean {
    return this.current.profileId === id
  }

  get history(): HistoryStore | null {
    return this.historyNow
  }

  get broadcaster(): Broadcaster | null {
    return this.broadcasterNow
  }

  get monitor(): Monitor | null {
    return this.monitorNow
  }

  requireMonitor(): Monitor {
    if (!this.monitorNow) throw new ApiError('failed', 'Not connected: connect to an app first')
    return this.monitorNow
  }

  requireBroadcaster(): Broadcaster {
    if (!this.broadcasterNow) throw new ApiError('failed', 'Not connected: connect to an app first')
    return this.broadcasterNow
  }

  requireHistory(): HistoryStore {
    if (!this.historyNow) throw new ApiError('failed', 'No history yet: connect to an app first')
    return this.historyNow
  }

  /** Reconnects to the profile that was active when the app last stopped. */
  async resume(): Promise<void> {
    const id = this.options.profiles.activeId
    if (id === null) return
    try {
      await this.connect(id)
    } catch (error) {
      this.options.logger.warn(`could not resume the last connection: ${(error as Error).message}`)
    }
  }

  connect(id: string): Promise<Status> {
    const next = this.switching.then(async () => {
      await this.stop()
      const { profiles, friends, logger, requestTimeoutMs } = this.options
      const profile = profiles.get(id)
      await runnableConvention(profile.convention)
      const credentials = await profiles.credentials(id)
      const settings = this.options.settings.read()
      const historyPath = historyPathFor(this.options.dataDir, id)
      try {
        this.historyNow = HistoryStore.open(historyPath, {
          rawRetentionDays: settings.rawRetentionDays,
          rollupRetentionDays: settings.rollupRetentionDays,
          logger,
        })
      } catch (error) {
        throw new ApiError('failed', `The history file ${historyPath} could not be opened: ${(error as Error).message}`)
      }
      const monitor = new Monitor({
        profile,
        credentials,
        history: this.historyNow,
        logger,
        requestTimeoutMs,
        onTick: (tick) => this.options.events.emit('tick', tick),
        onStatus: (sync) => this.syncStatusChanged(sync),
        onIngest: (result) => this.broadcasterNow?.observe(result),
      })
      this.monitorNow = monitor
      const broadcaster: Broadcaster = createBroadcaster({
        monitor,
        profile,
        credentials,
        graph: friends.load(id)?.graph ?? null,
        dataDir: this.options.dataDir,
        timeoutMs: requestTimeoutMs ?? 10_000,
        logger,
        // A broadcaster being replaced or closed no longer speaks for the status.
        onStatus: (broadcast) => {
          if (this.broadcasterNow === broadcaster) this.setStatus({ broadcast })
        },
      })
      this.broadcasterNow = broadcaster
      profiles.setActive(id)
      this.setStatus({ profile: profile.name, profileId: id, broadcast: broadcaster.status() })
      await monitor.start()
      await broadcaster.configure(profile.broadcast)
      return this.current
    })
    this.switching = next.catch(() => {})
    return next
  }

  disconnect(): Promise<Status> {
    const next = this.switching.then(async () => {
      await this.stop()
      this.options.profiles.setActive(null)
      this.setStatus({
        connection: 'disconnected',
        profile: null,
        profileId: null,
        message: 'Not connected',
        sync: null,
        broadcast: undefined,
      })
      return this.current
    })
    this.switching = next.catch(() => {})
    return next
  }

  /** Reconnects when `id` is being watched, so a changed setting takes effect. */
  async restartIfActive(id: string): Promise<void> {
    if (this.isActive(id) && this.monitorNow) await this.connect(id)
  }

  /** Waits for a switch in progress, then stops watching (the saved active profile is kept, for `resume`). */
  async close(): Promise<void> {
    await this.switching
    await this.stop()
  }

  private async stop(): Promise<void> {
    const monitor = this.monitorNow
    const history = this.historyNow
    const broadcaster = this.broadcasterNow
    this.monitorNow = null
    this.historyNow = null
    this.broadcasterNow = null
    // The broadcaster first: nothing is sent after the connection stops.
    await broadcaster?.close()
    await monitor?.stop()
    this.options.exports.cancelAll()
    await history?.close()
  }

  private syncStatusChanged(sync: SyncStatus): void {
    // Polls standing in for a webhook receiver that can't listen keep the figures true, but the mode
    // chosen isn't working: that is an error to show, with the figures.
    const receiverDown = sync.webhook?.error ?? null
    const connection =
      sync.state === 'ok'
        ? receiverDown === null
          ? 'connected'
          : 'error'
        : sync.state === 'failing'
          ? 'error'
          : sync.state === 'starting'
            ? 'connecting'
            : 'disconnected'
    const people = `${sync.participants.toLocaleString('en-US')} people in ${sync.rooms.toLocaleString('en-US')} rooms`
    const message =
      sync.state === 'failing' && sync.error
        ? `${sync.error.message}. ${sync.error.hint}`
        : sync.state === 'ok'
          ? receiverDown === null
            ? people
            : `Webhooks are not received: ${receiverDown}. ${people}`
          : sync.state === 'starting'
            ? 'Connecting…'
            : 'Not connected'
    this.setStatus({ connection, message, sync })
  }
}
