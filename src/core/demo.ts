import { Crowd } from '../emulator/crowd/crowd.ts'
import { InjectedCrowdDriver } from '../emulator/crowd/injected-driver.ts'
import { startEmulator, type RunningEmulator } from '../emulator/index.ts'
import type { Credentials } from '../shared/connection.ts'
import type { NamingConvention } from '../shared/naming.ts'

export interface DemoOptions {
  crowd: number
  rooms: number
  groups: string[]
  /** Share of the crowd replaced per minute. */
  churn: number
  seed: number
}

export const DEFAULT_DEMO: DemoOptions = {
  crowd: 2_000,
  rooms: 12,
  groups: ['red', 'blue', 'green'],
  churn: 0.2,
  seed: 1,
}
const STEP_MS = 1000

/**
 * The first-run demo: the embedded emulator with a simulated crowd that comes and goes, so Headcount
 * can be tried without a Pusher account. The engine connects to it like to any app.
 */
export class Demo {
  private readonly emulator: RunningEmulator
  private readonly driver: InjectedCrowdDriver<number>
  private readonly timer: ReturnType<typeof setInterval>
  readonly options: DemoOptions

  private constructor(emulator: RunningEmulator, driver: InjectedCrowdDriver<number>, options: DemoOptions) {
    this.emulator = emulator
    this.driver = driver
    this.options = options
    this.timer = setInterval(() => this.driver.advance(STEP_MS), STEP_MS)
    this.timer.unref()
  }

  static async start(options: DemoOptions = DEFAULT_DEMO): Promise<Demo> {
    const emulator = await startEmulator({ vacateDelayMs: 1000 })
    const crowd = new Crowd({
      size: options.crowd,
      rooms: options.rooms,
      groups: options.groups,
      churn: options.churn,
      seed: options.seed,
    })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    driver.populate()
    return new Demo(emulator, driver, options)
  }

  get credentials(): Credentials {
    return {
      appId: this.emulator.appId,
      key: this.emulator.key,
      secret: this.emulator.secret,
      target: { kind: 'host', host: '127.0.0.1', port: this.emulator.port, useTLS: false },
    }
  }

  get convention(): NamingConvention {
    return {
      kind: 'template',
      template: this.options.groups.length ? 'private-{room}-{group}-{user}' : 'private-{room}-{user}',
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.emulator.close()
  }
}
