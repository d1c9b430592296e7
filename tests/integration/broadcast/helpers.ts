// Plumbing for the broadcaster's integration tests: an engine connected to the emulator with a fast
// broadcaster, and pusher-js "spectators" that record what arrives on a channel.
import type PusherJs from 'pusher-js'
import type { BroadcastSettingsPatch } from '../../../src/shared/broadcast.ts'
import type { NamingConvention } from '../../../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { client, connected, subscribed } from '../emulator/helpers.ts'
import { emulatorConnection, EngineHarness } from '../engine/engine-harness.ts'

export const WITH_GROUPS: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }

/** Short intervals so tests see several ticks a second; the defaults are 1 s and 10 s. */
export const FAST: BroadcastSettingsPatch = { intervalMs: 100, heartbeatMs: 1000 }

export async function connectedEngine(emulator: RunningEmulator, convention: NamingConvention = WITH_GROUPS) {
  const harness = new EngineHarness()
  const profile = await harness.handlers['profiles.save']({
    name: 'emulator',
    connection: emulatorConnection(emulator),
    secret: emulator.secret,
    convention,
    sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
  })
  await harness.handlers['connection.connect']({ id: profile.id })
  return { harness, id: profile.id }
}

export interface Heard<T> {
  data: T
  at: number
}

/** A pusher-js client subscribed to channels, recording every `event` on each. */
export class Spectator {
  readonly heard = new Map<string, Array<Heard<unknown>>>()
  readonly socket: PusherJs

  private constructor(socket: PusherJs) {
    this.socket = socket
  }

  static async watch(emulator: RunningEmulator, channels: string[], event: string): Promise<Spectator> {
    const spectator = new Spectator(client(emulator))
    await connected(spectator.socket)
    for (const channel of channels) {
      spectator.heard.set(channel, [])
      await subscribed(spectator.socket, channel)
      spectator.socket
        .channel(channel)
        .bind(event, (data: unknown) => spectator.heard.get(channel)?.push({ data, at: Date.now() }))
    }
    return spectator
  }

  on<T>(channel: string): Array<Heard<T>> {
    return (this.heard.get(channel) ?? []) as Array<Heard<T>>
  }

  last<T>(channel: string): T | undefined {
    return this.on<T>(channel).at(-1)?.data
  }

  close(): void {
    this.socket.disconnect()
  }
}
