import type { Credentials } from '../shared/connection.ts'
import { ApiError } from '../shared/envelope.ts'
import type { NamingConvention } from '../shared/naming.ts'
import type { ConnectionHooks } from './connection-manager.ts'
import type { ProfileService } from './profiles.ts'

/** The profile the first-run demo connects through. */
export const DEMO_PROFILE = 'Demo (embedded emulator)'

/** A demo crowd running where the engine can reach it, connected to like any app. */
export interface RunningDemo {
  credentials: Credentials
  /** How its channel names read. */
  convention: NamingConvention
  stop(): Promise<void>
}

/**
 * How a shell starts the first-run demo (the embedded emulator and a churning crowd, in Headcount's
 * shells): the engine never starts one itself, it only connects to what it is handed.
 */
export interface DemoLauncher {
  start(): Promise<RunningDemo>
}

/**
 * The first-run demo as a connection of its own: its crowd runs exactly while its profile is watched.
 * Connecting to the demo's profile starts a crowd (and points the profile at it); watching another app
 * instead, or disconnecting, stops it. Nothing here touches any other connection.
 */
export class DemoSlot implements ConnectionHooks {
  private readonly launcher: DemoLauncher | null
  private readonly profiles: ProfileService
  private running: RunningDemo | null = null

  constructor(launcher: DemoLauncher | null, profiles: ProfileService) {
    this.launcher = launcher
    this.profiles = profiles
  }

  /** The demo's profile, if one was ever saved. */
  profileId(): string | null {
    return this.profiles.all().find((profile) => profile.name === DEMO_PROFILE)?.id ?? null
  }

  isDemo(id: string): boolean {
    return id === this.profileId()
  }

  /**
   * The demo's profile, created with a crowd started for it when there is none yet (the crowd then
   * runs, ready for the connection that follows).
   */
  async ensureProfile(): Promise<string> {
    const existing = this.profileId()
    if (existing !== null) return existing
    const demo = await this.launch()
    const { secret, ...connection } = demo.credentials
    const profile = await this.profiles.save({ name: DEMO_PROFILE, connection, secret, convention: demo.convention })
    return profile.id
  }

  /** Starts a crowd for the demo's profile when it is about to be watched and none runs. */
  async beforeConnect(id: string): Promise<void> {
    if (!this.isDemo(id) || this.running !== null) return
    const demo = await this.launch()
    const { secret, ...connection } = demo.credentials
    const profile = this.profiles.get(id)
    // The new crowd listens on a new port; the operator's choices (convention, sync, broadcast) stay.
    await this.profiles.save({ id, name: profile.name, connection, secret })
  }

  /** The demo's crowd stops once its profile is no longer watched. */
  async afterStop(id: string): Promise<void> {
    if (this.isDemo(id)) await this.stop()
  }

  /** Stops the crowd, if one runs. */
  async stop(): Promise<void> {
    const demo = this.running
    this.running = null
    await demo?.stop()
  }

  private async launch(): Promise<RunningDemo> {
    if (!this.launcher) throw new ApiError('failed', 'The demo is not available in this Headcount')
    await this.stop()
    try {
      this.running = await this.launcher.start()
    } catch (error) {
      throw new ApiError('failed', `The demo could not start: ${(error as Error).message}`)
    }
    return this.running
  }
}
