import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'

/** A seeded crowd with known counts: room → group → people. */
export const CROWD: Record<string, Record<string, number>> = {
  lobby: { red: 24, blue: 16 },
  stage: { red: 9, blue: 12 },
  cafe: { red: 5, blue: 2 },
  library: { red: 1, blue: 3 },
}

export const TEMPLATE = 'private-{room}-{group}-{user}'

export function roomTotal(room: string): number {
  return Object.values(CROWD[room] ?? {}).reduce((sum, n) => sum + n, 0)
}

export function userOf(room: string, group: string, index: number): string {
  return `p-${room}-${group}-${index}`
}

/** The emulator with the seeded crowd injected as private channels (no sockets needed). */
export async function startCrowd(port = 0): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port, vacateDelayMs: 0 })
  const entries: { channel: string }[] = []
  for (const [room, groups] of Object.entries(CROWD)) {
    for (const [group, count] of Object.entries(groups)) {
      for (let i = 0; i < count; i++) entries.push({ channel: `private-${room}-${group}-${userOf(room, group, i)}` })
    }
  }
  emulator.injectMany(entries)
  return emulator
}

/** The seeded crowd of one test, which a test may take down and bring back on the same port. */
export class CrowdServer {
  private emulator: RunningEmulator | null
  readonly port: number

  private constructor(emulator: RunningEmulator) {
    this.emulator = emulator
    this.port = emulator.port
  }

  static async start(): Promise<CrowdServer> {
    return new CrowdServer(await startCrowd())
  }

  /** The running emulator; throws while it is stopped. */
  get running(): RunningEmulator {
    if (!this.emulator) throw new Error('the crowd emulator is stopped')
    return this.emulator
  }

  async stop(): Promise<void> {
    await this.emulator?.close()
    this.emulator = null
  }

  async restart(): Promise<void> {
    await this.stop()
    this.emulator = await startCrowd(this.port)
  }
}
