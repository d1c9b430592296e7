import { join } from 'node:path'
import type { AppInfo } from '../shared/app-info.ts'
import {
  applyBroadcastPatch,
  type BroadcastSettings,
  type BroadcastSettingsPatch,
  type FriendsImportResult,
} from '../shared/broadcast.ts'
import { ApiError } from '../shared/envelope.ts'
import type { Series, SeriesQuerySchema } from '../shared/history.ts'
import type { z } from 'zod'
import {
  ConventionError,
  DEFAULT_CONVENTION,
  previewConvention,
  type CompiledConvention,
  type NamingConvention,
} from '../shared/naming.ts'
import type { ConnectionTestInput, ConnectionTestResult } from '../shared/profiles.ts'
import { applySettingsPatch, type Settings, type SettingsPatch } from '../shared/settings.ts'
import type { Status } from '../shared/status.ts'
import type { SyncStatus } from '../shared/sync.ts'
import { type Broadcaster, createBroadcaster, FriendStore, parseFriendsCsv } from './broadcast/index.ts'
import { ChannelsClient } from './channels/client.ts'
import { compileSafeConvention } from './convention-safety.ts'
import { prepareDataDir } from './data-files.ts'
import { Demo } from './demo.ts'
import { EngineEvents } from './events.ts'
import { ExportJobs } from './export/export-jobs.ts'
import { HistoryStore } from './history/history-store.ts'
import { historyPathFor } from './history/paths.ts'
import { silentLogger, type Logger } from './logger.ts'
import { Monitor } from './monitor.ts'
import { PresenceState } from './presence/presence-state.ts'
import { ProfileService } from './profiles.ts'
import type { EngineHandlers } from './rpc/dispatch.ts'
import type { SecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'
import { toFailure } from './sync/sync-loop.ts'

type SeriesQueryParsed = z.output<typeof SeriesQuerySchema>

/** The profile the first-run demo connects through; it points at the embedded emulator. */
export const DEMO_PROFILE = 'Demo (embedded emulator)'

export interface EngineOptions {
  version: string
  runtime: AppInfo['runtime']
  electronVersion?: string | null
  dataDir: string
  settings: SettingsStore
  secrets: SecretStore
  logger?: Logger
  /** Injected so tests can pin the clock. */
  now?: () => Date
  /** Timeout for each request to the Channels API. */
  requestTimeoutMs?: number
}

/**
 * The convention's prefix and warnings; refuses one that does not compile, or a regex not proved free
 * of catastrophic backtracking: for saving.
 */
async function checkedConventionInfo(convention: NamingConvention) {
  try {
    return describeConvention(await compileSafeConvention(convention))
  } catch (error) {
    throw refusal(error)
  }
}

function describeConvention(compiled: CompiledConvention) {
  return { convention: compiled.convention, prefix: compiled.prefix, separatorWarning: compiled.separatorWarning }
}

function refusal(error: unknown): unknown {
  return error instanceof ConventionError
    ? new ApiError('bad-request', error.message, [{ path: 'convention', message: error.message }])
    : error
}

/**
 * Headcount's engine: everything the UI can ask for, independent of Electron. The desktop shell and
 * web mode both construct one and bind `handlers` and `events` to their transport.
 */
export class Engine {
  readonly events = new EngineEvents()
  readonly handlers: EngineHandlers
  readonly profiles: ProfileService
  private readonly options: EngineOptions
  private readonly logger: Logger
  private readonly now: () => Date
  private status: Status
  private monitor: Monitor | null = null
  private demo: Demo | null = null
  private history: HistoryStore | null = null
  private broadcaster: Broadcaster | null = null
  private readonly friends: FriendStore
  private readonly exports: ExportJobs
  /** Serialises connect/disconnect so two clicks never start two monitors. */
  private switching: Promise<unknown> = Promise.resolve()

  constructor(options: EngineOptions) {
    this.options = options
    prepareDataDir(options.dataDir)
    this.logger = options.logger ?? silentLogger
    this.now = options.now ?? (() => new Date())
    this.profiles = new ProfileService(options.settings, options.secrets, (settings) =>
      this.events.emit('settings.changed', settings),
    )
    this.exports = new ExportJobs(
      this.exportsDir,
      (progress) => this.events.emit('export.progress', progress),
      this.logger,
    )
    this.friends = new FriendStore(options.dataDir, this.logger)
    this.status = {
      connection: 'disconnected',
      profile: null,
      profileId: null,
      message:
        [options.settings.recoveryNote, options.secrets.recoveryNote].filter(Boolean).join('. ') || 'Not connected',
      at: this.now().toISOString(),
      sync: null,
      demo: false,
    }
    this.handlers = {
      'app.info': () => this.appInfo(),
      'status.get': () => this.status,
      'settings.get': () => this.options.settings.read(),
      'settings.update': (patch) => this.updateSettings(patch),

      'profiles.list': () => this.profiles.list(),
      'profiles.save': async (input) => {
        if (input.convention) await checkedConventionInfo(input.convention)
        return this.profiles.save(input)
      },
      'profiles.delete': async ({ id }) => {
        if (this.status.profileId === id) await this.disconnect()
        await this.profiles.delete(id)
        this.friends.clear(id)
        return null
      },
      'profiles.test': (input) => this.testConnection(input),

      'connection.connect': ({ id }) => this.connect(id),
      'connection.disconnect': () => this.disconnect(),
      'sync.now': () => {
        this.requireMonitor().pollNow()
        return null
      },

      'convention.set': async ({ id, convention }) => {
        const info = await checkedConventionInfo(convention)
        this.profiles.update(id, { convention })
        await this.restartIfActive(id)
        return info
      },
      'convention.preview': async ({ convention, samples }) => {
        try {
          // The same check as saving, so the preview never runs a pattern that saving would refuse.
          const compiled = await compileSafeConvention(convention)
          return {
            prefix: compiled.prefix,
            separatorWarning: compiled.separatorWarning,
            error: null,
            rows: previewConvention(compiled, samples),
          }
        } catch (error) {
          if (!(error instanceof ConventionError)) throw error
          return { prefix: null, separatorWarning: null, error: error.message, rows: [] }
        }
      },
      'sync.setOptions': async ({ id, options: sync }) => {
        this.profiles.update(id, { sync })
        await this.restartIfActive(id)
        return sync
      },

      'rooms.list': () => this.monitor?.rooms() ?? { at: null, total: 0, channels: 0, unmatched: 0, rooms: [] },
      'room.detail': (input) => this.requireMonitor().roomDetail(input),
      'history.series': (query) => this.querySeriesInTurns(query),
      'history.groups': (query) => this.requireHistory().roomGroupSeries(query),

      'export.start': (request) => this.exports.start(this.requireHistory(), request),
      'export.cancel': ({ id }) => {
        this.exports.cancel(id)
        return null
      },
      'export.saveAs': () => {
        throw new ApiError(
          'failed',
          'Saving to a chosen place is a desktop feature; in web mode, use the download link',
        )
      },
      'broadcast.set': ({ id, settings }) => this.setBroadcast(id, settings),
      'broadcast.preview': ({ room }) => this.requireBroadcaster().preview(room),
      'friends.import': ({ id, csv, mutual }) => this.importFriends(id, csv, mutual),
      'friends.get': ({ id }) => {
        this.profiles.get(id)
        return this.friends.summary(id)
      },
      'friends.clear': ({ id }) => {
        this.profiles.get(id)
        this.friends.clear(id)
        if (this.status.profileId === id) this.broadcaster?.setGraph(null)
        return this.friends.summary(id)
      },
      'friends.of': ({ room, user }) => this.requireBroadcaster().friendsOf(room, user),

      'demo.start': () => this.startDemo(),
      'demo.stop': () => this.stopDemo(),
    }
  }

  /** Reconnects to the profile that was active when the app last stopped. */
  async resume(): Promise<void> {
    const id = this.profiles.activeId
    if (id === null) return
    try {
      await this.connect(id)
    } catch (error) {
      this.logger.warn(`could not resume the last connection: ${(error as Error).message}`)
    }
  }

  private async appInfo(): Promise<AppInfo> {
    return {
      name: 'Headcount',
      version: this.options.version,
      runtime: this.options.runtime,
      nodeVersion: process.versions.node,
      electronVersion: this.options.electronVersion ?? null,
      platform: `${process.platform} ${process.arch}`,
      dataDir: this.options.dataDir,
      secretStorage: await this.options.secrets.describe(),
    }
  }

  private updateSettings(patch: SettingsPatch): Settings {
    const next = applySettingsPatch(this.options.settings.read(), patch)
    try {
      this.options.settings.write(next)
    } catch (error) {
      throw new ApiError('failed', `Settings could not be saved: ${(error as Error).message}`)
    }
    this.history?.setRetention({
      rawRetentionDays: next.rawRetentionDays,
      rollupRetentionDays: next.rollupRetentionDays,
    })
    this.events.emit('settings.changed', next)
    return next
  }

  setStatus(update: Partial<Omit<Status, 'at'>>): void {
    this.status = { ...this.status, ...update, at: this.now().toISOString() }
    this.events.emit('status', this.status)
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

  private requireMonitor(): Monitor {
    if (!this.monitor) throw new ApiError('failed', 'Not connected: connect to an app first')
    return this.monitor
  }

  private requireBroadcaster(): Broadcaster {
    if (!this.broadcaster) throw new ApiError('failed', 'Not connected: connect to an app first')
    return this.broadcaster
  }

  private async setBroadcast(id: string, patch: BroadcastSettingsPatch): Promise<BroadcastSettings> {
    const next = applyBroadcastPatch(this.profiles.get(id).broadcast, patch)
    this.profiles.update(id, { broadcast: next })
    if (this.status.profileId === id) await this.broadcaster?.configure(next)
    return next
  }

  private importFriends(id: string, csv: string, mutual: boolean): FriendsImportResult {
    this.profiles.get(id)
    const parsed = parseFriendsCsv(csv, mutual)
    if (!parsed.ok) return { ok: false, errors: parsed.errors, errorCount: parsed.errorCount }
    try {
      this.friends.save(id, parsed.graph, mutual, this.now().toISOString())
    } catch (error) {
      throw new ApiError('failed', `The friend graph could not be saved: ${(error as Error).message}`)
    }
    if (this.status.profileId === id) this.broadcaster?.setGraph(parsed.graph)
    return { ok: true, users: parsed.graph.users, edges: parsed.graph.edges }
  }

  private requireHistory(): HistoryStore {
    if (!this.history) throw new ApiError('failed', 'No history yet: connect to an app first')
    return this.history
  }

  private async testConnection(input: ConnectionTestInput): Promise<ConnectionTestResult> {
    const saved = input.id === undefined ? undefined : this.profiles.get(input.id)
    const connection = input.connection ?? saved?.connection
    const secret = input.secret ?? (saved ? (await this.profiles.credentials(saved.id)).secret : undefined)
    if (!connection || !secret)
      throw new ApiError('bad-request', 'Give a saved profile id, or a connection with its secret')
    const convention = await this.runnableConvention(saved?.convention ?? DEFAULT_CONVENTION)
    const client = new ChannelsClient({ ...connection, secret }, { timeoutMs: this.options.requestTimeoutMs ?? 10_000 })
    try {
      const response = await client.listChannels(convention.prefix)
      // The same reader the sync uses, so "test" and "connect" agree on what a valid answer is.
      const result = await new PresenceState(convention).ingestChannelList(response.body, Date.now())
      return {
        ok: true,
        endpoint: client.endpoint,
        latencyMs: Math.round(response.latencyMs),
        channels: result.channels,
      }
    } catch (error) {
      const failure = toFailure(error, client.endpoint)
      return {
        ok: false,
        endpoint: client.endpoint,
        failure: { kind: failure.kind, message: failure.message, hint: failure.hint },
      }
    }
  }

  /**
   * A saved convention, compiled and checked before it runs on real channel names: one saved before
   * regexes were checked, or edited by hand, is refused here rather than run.
   */
  private async runnableConvention(convention: NamingConvention): Promise<CompiledConvention> {
    try {
      return await compileSafeConvention(convention)
    } catch (error) {
      if (!(error instanceof ConventionError)) throw error
      throw new ApiError('failed', `The naming convention can't be used: ${error.message}. Change it in Settings.`)
    }
  }

  private connect(id: string): Promise<Status> {
    const next = this.switching.then(async () => {
      await this.stopMonitor()
      const profile = this.profiles.get(id)
      await this.runnableConvention(profile.convention)
      const credentials = await this.profiles.credentials(id)
      const settings = this.options.settings.read()
      const historyPath = historyPathFor(this.options.dataDir, id)
      try {
        this.history = HistoryStore.open(historyPath, {
          rawRetentionDays: settings.rawRetentionDays,
          rollupRetentionDays: settings.rollupRetentionDays,
          logger: this.logger,
        })
      } catch (error) {
        throw new ApiError('failed', `The history file ${historyPath} could not be opened: ${(error as Error).message}`)
      }
      this.monitor = new Monitor({
        profile,
        credentials,
        history: this.history,
        logger: this.logger,
        requestTimeoutMs: this.options.requestTimeoutMs,
        onTick: (tick) => this.events.emit('tick', tick),
        onStatus: (sync) => this.syncStatusChanged(sync),
        onIngest: (result) => this.broadcaster?.observe(result),
      })
      const broadcaster: Broadcaster = createBroadcaster({
        monitor: this.monitor,
        profile,
        credentials,
        graph: this.friends.load(id)?.graph ?? null,
        timeoutMs: this.options.requestTimeoutMs ?? 10_000,
        logger: this.logger,
        // A broadcaster being replaced or closed no longer speaks for the status.
        onStatus: (broadcast) => {
          if (this.broadcaster === broadcaster) this.setStatus({ broadcast })
        },
      })
      this.broadcaster = broadcaster
      this.profiles.setActive(id)
      this.setStatus({ profile: profile.name, profileId: id, broadcast: broadcaster.status() })
      await this.monitor.start()
      await broadcaster.configure(profile.broadcast)
      return this.status
    })
    this.switching = next.catch(() => {})
    return next
  }

  private disconnect(): Promise<Status> {
    const next = this.switching.then(async () => {
      await this.stopMonitor()
      this.profiles.setActive(null)
      this.setStatus({
        connection: 'disconnected',
        profile: null,
        profileId: null,
        message: 'Not connected',
        sync: null,
        broadcast: undefined,
      })
      return this.status
    })
    this.switching = next.catch(() => {})
    return next
  }

  /** The first-run demo: the embedded emulator, a churning crowd, and a profile pointing at it. */
  private async startDemo(): Promise<Status> {
    await this.stopDemo()
    this.demo = await Demo.start()
    const { secret, ...connection } = this.demo.credentials
    const existing = this.profiles.all().find((profile) => profile.name === DEMO_PROFILE)
    const profile = await this.profiles.save({
      id: existing?.id,
      name: DEMO_PROFILE,
      connection,
      secret,
      convention: this.demo.convention,
    })
    this.setStatus({ demo: true })
    return this.connect(profile.id)
  }

  private async stopDemo(): Promise<Status> {
    const demo = this.demo
    if (!demo) return this.status
    this.demo = null
    const demoProfile = this.profiles.all().find((profile) => profile.name === DEMO_PROFILE)
    if (demoProfile && this.status.profileId === demoProfile.id) await this.disconnect()
    await demo.stop()
    this.setStatus({ demo: false })
    return this.status
  }

  /**
   * Each series is read in its own turn of the event loop: one 24-hour series costs ~17 ms, so a chart of
   * ten rooms and the total read at once would hold the loop (and the sync) for ~190 ms.
   */
  private async querySeriesInTurns(query: SeriesQueryParsed): Promise<Series[]> {
    const history = this.requireHistory()
    const series: Series[] = query.includeTotal ? history.querySeries({ ...query, rooms: [], includeTotal: true }) : []
    for (const room of query.rooms) {
      await new Promise((resolve) => setImmediate(resolve))
      series.push(...history.querySeries({ ...query, rooms: [room], includeTotal: false }))
    }
    return series
  }

  /** Files a finished export wrote, for shells that copy or serve them. */
  exportFile(id: string): string | null {
    return this.exports.fileOf(id)
  }

  get exportsDir(): string {
    return join(this.options.dataDir, 'exports')
  }

  private async restartIfActive(id: string): Promise<void> {
    if (this.status.profileId === id && this.monitor) await this.connect(id)
  }

  private async stopMonitor(): Promise<void> {
    const monitor = this.monitor
    const history = this.history
    const broadcaster = this.broadcaster
    this.monitor = null
    this.history = null
    this.broadcaster = null
    // The broadcaster first: nothing is sent after the connection stops.
    await broadcaster?.close()
    await monitor?.stop()
    this.exports.cancelAll()
    await history?.close()
  }

  async close(): Promise<void> {
    await this.switching
    await this.stopMonitor()
    await this.demo?.stop()
    this.demo = null
    this.logger.info('engine stopped')
  }
}
