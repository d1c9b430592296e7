import type { AlertRule } from '../shared/alerts.ts'
import { ApiError } from '../shared/envelope.ts'
import { GAP_CAUSE_TITLES, type GapCause } from '../shared/history.ts'
import type { Profile } from '../shared/profiles.ts'
import type { Status } from '../shared/status.ts'
import type { SyncOptions, SyncStatus } from '../shared/sync.ts'
import { AlertMonitor } from './alerts/alert-monitor.ts'
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
  /** What happens around a profile's connection beyond syncing it (the demo's crowd); none by default. */
  hooks?: ConnectionHooks
}

/** Work around connecting a profile that is not syncing's business: the demo starts and stops its crowd here. */
export interface ConnectionHooks {
  /** Before the profile is connected to; a failure refuses the connection, in its words. */
  beforeConnect(id: string): Promise<void>
  /** After the profile stopped being watched (not when it is only restarting). */
  afterStop(id: string): Promise<void>
  /** Whether the profile is the first-run demo's (the status says so while it is watched). */
  isDemo(id: string): boolean
}

/** Why watching stops, for the history's gap: its cause and, in words, what happened. */
export interface StopReason {
  cause: GapCause
  detail?: string
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
  private alertsNow: AlertMonitor | null = null
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

  setStatus(update: Partial<Omit<Status, 'at' | 'demo'>>): void {
    const next = { ...this.current, ...update }
    // Demo labels belong to the demo's connection, only while it is the one watched.
    const demo = next.profileId !== null && (this.hooks?.isDemo(next.profileId) ?? false)
    this.current = { ...next, demo, at: this.options.now().toISOString() }
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

  /** Alert rules of the connected profile take effect at once; `id` not connected: nothing to do. */
  setAlertRules(id: string, rules: readonly AlertRule[]): void {
    if (this.isActive(id)) this.alertsNow?.setRules(rules)
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

  private get hooks(): ConnectionHooks | null {
    return this.options.hooks ?? null
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

  /**
   * Watches `id`, stopping what was watched first; `reason` says why for the history of the one that
   * stops (by default: another connection is watched instead, or the same one restarts).
   */
  connect(id: string, reason?: StopReason): Promise<Status> {
    const next = this.switching.then(async () => {
      const { profiles, friends, logger, requestTimeoutMs } = this.options
      const previous = this.current.profileId
      await this.stop(
        reason ??
          (previous === id
            ? { cause: 'stopped', detail: 'Headcount reconnected' }
            : { cause: 'switched', detail: `Watching “${profiles.get(id).name}” instead` }),
        id,
      )
      await this.hooks?.beforeConnect(id)
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
      const history = this.historyNow
      const alerts = new AlertMonitor({
        rules: profile.alerts,
        history,
        emit: (event) => this.options.events.emit('alert', event),
        logger,
        now: () => this.options.now().getTime(),
        retentionDays: () => history.getRetention().rollupRetentionDays,
      })
      this.alertsNow = alerts
      alerts.start()
      const monitor = new Monitor({
        profile,
        credentials,
        history: this.historyNow,
        logger,
        requestTimeoutMs,
        onTick: (tick) => {
          this.options.events.emit('tick', tick)
          alerts.observeTick(tick)
        },
        onStatus: (sync) => {
          this.syncStatusChanged(sync)
          alerts.observeSync(sync)
        },
        onIngest: (result, observed) => this.broadcasterNow?.observe(result, observed),
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
          if (this.broadcasterNow !== broadcaster) return
          this.setStatus({ broadcast })
          alerts.observeBroadcast(broadcast)
        },
      })
      this.broadcasterNow = broadcaster
      profiles.setActive(id)
      // Nothing is known of this app until its first sync: not "connected" (the previous app's state).
      this.setStatus({
        connection: 'connecting',
        message: 'Connecting…',
        sync: null,
        profile: profile.name,
        profileId: id,
        broadcast: broadcaster.status(),
      })
      alerts.observeBroadcast(broadcaster.status())
      await monitor.start()
      await broadcaster.configure(profile.broadcast)
      return this.current
    })
    this.switching = next.catch(() => {})
    return next
  }

  disconnect(reason: StopReason = { cause: 'disconnected', detail: 'Disconnected in Headcount' }): Promise<Status> {
    const next = this.switching.then(async () => {
      await this.stop(reason)
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

  /**
   * Puts `id`'s new sync options into effect when it is being watched. New intervals alone are taken by
   * the running monitor: a new reading of a million people costs a first sync's memory and time, and
   * the history a gap. A changed mode or webhook address needs a new monitor (see restartIfActive).
   */
  async applySyncOptions(id: string, options: SyncOptions): Promise<void> {
    await this.switching
    const monitor = this.isActive(id) ? this.monitorNow : null
    if (!monitor) return
    if (sameButIntervals(monitor.syncOptions, options)) monitor.setSyncIntervals(options)
    else await this.restartIfActive(id, { cause: 'settings', detail: `Sync settings changed (${options.mode})` })
  }

  /** Reconnects when `id` is being watched, so a changed setting takes effect; `reason` is for the history. */
  async restartIfActive(id: string, reason: StopReason): Promise<void> {
    if (this.isActive(id) && this.monitorNow) await this.connect(id, reason)
  }

  /** Records the watched profile's setup in its history (a change of it is an event there). */
  async recordSetup(profile: Profile): Promise<void> {
    if (!this.isActive(profile.id)) return
    await this.historyNow?.recordSetup(this.options.now().getTime(), {
      convention: profile.convention,
      syncMode: profile.sync.mode,
      broadcasting: profile.broadcast.enabled,
    })
  }

  /** Waits for a switch in progress, then stops watching (the saved active profile is kept, for `resume`). */
  async close(): Promise<void> {
    await this.switching
    await this.stop({ cause: 'stopped', detail: 'Headcount stopped' })
  }

  /** Stops watching, for `reason`; `next` is the profile about to be watched, if any. */
  private async stop(reason: StopReason, next: string | null = null): Promise<void> {
    const monitor = this.monitorNow
    const history = this.historyNow
    const broadcaster = this.broadcasterNow
    const previous = this.current.profileId
    const alerts = this.alertsNow
    this.monitorNow = null
    this.historyNow = null
    this.broadcasterNow = null
    this.alertsNow = null
    // The broadcaster first: nothing is sent after the connection stops.
    await broadcaster?.close()
    await monitor?.stop(reason.cause, reason.detail ?? GAP_CAUSE_TITLES[reason.cause])
    // Alerts still open stay open in the history: the next start takes them over.
    await alerts?.stop()
    this.options.exports.cancelAll()
    await history?.close()
    if (previous !== null && previous !== next) await this.hooks?.afterStop(previous)
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

/** Whether two sync options differ at most in their poll and reconcile intervals (any other option counts). */
function sameButIntervals(a: SyncOptions, b: SyncOptions): boolean {
  const intervals = new Set<string>(['pollIntervalSec', 'reconcileIntervalSec'])
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => !intervals.has(key)))
  return [...keys].every((key) => a[key as keyof SyncOptions] === b[key as keyof SyncOptions])
}
