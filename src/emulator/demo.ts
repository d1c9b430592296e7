import type { Credentials } from '../shared/connection.ts'
import type { NamingConvention } from '../shared/naming.ts'
import { Crowd } from './crowd/crowd.ts'
import { InjectedCrowdDriver } from './crowd/injected-driver.ts'
import { startEmulator } from './index.ts'

export interface DemoCrowdOptions {
  crowd: number
  rooms: number
  groups: string[]
  /** Share of the crowd replaced per minute. */
  churn: number
  seed: number
}

export const DEFAULT_DEMO_CROWD: DemoCrowdOptions = {
  crowd: 2_000,
  rooms: 12,
  groups: ['red', 'blue', 'green'],
  churn: 0.2,
  seed: 1,
}
const STEP_MS = 1000

export interface DemoCrowd {
  /** How to reach the emulator, as a Channels app. */
  credentials: Credentials
  /** How the crowd's channel names read. */
  convention: NamingConvention
  stop(): Promise<void>
}

/**
 * The first-run demo: the embedded emulator with a simulated crowd that comes and goes, so Headcount
 * can be tried without a Pusher account. The shells hand it to the engine, which connects to it like
 * to any app.
 */
export async function startDemoCrowd(options: DemoCrowdOptions = DEFAULT_DEMO_CROWD): Promise<DemoCrowd> {
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
  const timer = setInterval(() => driver.advance(STEP_MS), STEP_MS)
  timer.unref()
  return {
    credentials: {
      appId: emulator.appId,
      key: emulator.key,
      secret: emulator.secret,
      target: { kind: 'host', host: '127.0.0.1', port: emulator.port, useTLS: false },
    },
    convention: {
      kind: 'template',
      template: options.groups.length ? 'private-{room}-{group}-{user}' : 'private-{room}-{user}',
    },
    async stop() {
      clearInterval(timer)
      await emulator.close()
    },
  }
}
