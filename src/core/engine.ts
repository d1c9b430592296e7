import type { AppInfo } from '../shared/app-info.ts'
import { ApiError } from '../shared/envelope.ts'
import { applySettingsPatch, type Settings } from '../shared/settings.ts'
import type { Status } from '../shared/status.ts'
import { EngineEvents } from './events.ts'
import { silentLogger, type Logger } from './logger.ts'
import type { Handlers } from './rpc/dispatch.ts'
import type { SecretStore } from './secret-store.ts'
import type { SettingsStore } from './settings-store.ts'

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
}

/**
 * Headcount's engine: everything the UI can ask for, independent of Electron. The desktop shell and
 * web mode both construct one and bind `handlers` and `events` to their transport.
 */
export class Engine {
  readonly events = new EngineEvents()
  readonly handlers: Handlers
  private status: Status
  private readonly logger: Logger
  private readonly now: () => Date

  private readonly options: EngineOptions

  constructor(options: EngineOptions) {
    this.options = options
    this.logger = options.logger ?? silentLogger
    this.now = options.now ?? (() => new Date())
    this.status = {
      connection: 'disconnected',
      profile: null,
      message: options.settings.recoveryNote ?? 'Not connected',
      at: this.now().toISOString(),
    }
    this.handlers = {
      'app.info': () => this.appInfo(),
      'status.get': () => this.status,
      'settings.get': () => this.options.settings.read(),
      'settings.update': (patch) => this.updateSettings(patch),
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

  private updateSettings(patch: Parameters<Handlers['settings.update']>[0]): Settings {
    const next = applySettingsPatch(this.options.settings.read(), patch)
    try {
      this.options.settings.write(next)
    } catch (error) {
      throw new ApiError('failed', `Settings could not be saved: ${(error as Error).message}`)
    }
    this.events.emit('settings.changed', next)
    return next
  }

  setStatus(update: Partial<Omit<Status, 'at'>>): void {
    this.status = { ...this.status, ...update, at: this.now().toISOString() }
    this.events.emit('status', this.status)
  }

  async close(): Promise<void> {
    this.logger.info('engine stopped')
  }
}
