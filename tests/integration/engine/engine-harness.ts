import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type PusherJs from 'pusher-js'
import { afterEach } from 'vitest'
import { Engine } from '../../../src/core/engine.ts'
import { silentLogger, type Logger } from '../../../src/core/logger.ts'
import { MemorySecretStore } from '../../../src/core/secret-store.ts'
import { FileSettingsStore } from '../../../src/core/settings-store.ts'
import type { EventName, EventPayload } from '../../../src/shared/contract.ts'
import { startDemoCrowd } from '../../../src/emulator/demo.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import type { EmulatorOptions } from '../../../src/emulator/options.ts'
import { client, connected, subscribed } from '../emulator/helpers.ts'

type Heard = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName]

interface HarnessOptions {
  requestTimeoutMs?: number
  logger?: Logger
}

/** A real engine with settings and history on disk, and everything it emits. */
export class EngineHarness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'headcount-engine-'))
  readonly engine: Engine
  readonly heard: Heard[] = []
  private readonly sockets: PusherJs[] = []

  constructor({ requestTimeoutMs = 3000, logger = silentLogger }: HarnessOptions = {}) {
    this.engine = new Engine({
      version: '0.0.0-test',
      runtime: 'web',
      dataDir: this.dataDir,
      settings: new FileSettingsStore(join(this.dataDir, 'settings.json'), silentLogger),
      secrets: new MemorySecretStore(),
      demo: { start: () => startDemoCrowd() },
      logger,
      requestTimeoutMs,
    })
    this.engine.events.onAny((event, payload) => this.heard.push({ event, payload } as Heard))
  }

  get handlers() {
    return this.engine.handlers
  }

  events<E extends EventName>(name: E): EventPayload<E>[] {
    return this.heard.filter((entry) => entry.event === name).map((entry) => entry.payload as EventPayload<E>)
  }

  /** Polls `read` until `accept` holds; returns the last value so a failing assertion shows it. */
  async until<T>(
    read: () => T | Promise<T>,
    accept: (value: T) => boolean,
    what = 'a condition',
    withinMs = 7500,
  ): Promise<T> {
    let value = await read()
    for (let i = 0; i < withinMs / 25 && !accept(value); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      value = await read()
    }
    if (!accept(value)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`)
    return value
  }

  /** A pusher-js client subscribed to `channel` on the emulator, like a participant's browser. */
  async join(emulator: RunningEmulator, channel: string): Promise<PusherJs> {
    const socket = client(emulator)
    this.sockets.push(socket)
    await connected(socket)
    await subscribed(socket, channel)
    return socket
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect()
    await this.engine.close()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

export function emulatorConnection(emulator: RunningEmulator) {
  return {
    appId: emulator.appId,
    key: emulator.key,
    target: { kind: 'host' as const, host: '127.0.0.1', port: emulator.port, useTLS: false },
  }
}

/**
 * For a test file whose tests each watch an emulator with an engine: what a test opens through this is
 * closed after it, the engine first (it may still be polling the emulator).
 */
export function openedPerTest() {
  let harness: EngineHarness | undefined
  let emulator: RunningEmulator | undefined
  afterEach(async () => {
    await harness?.close()
    await emulator?.close()
    harness = undefined
    emulator = undefined
  })
  return {
    async emulator(options?: EmulatorOptions): Promise<RunningEmulator> {
      emulator = await startEmulator(options)
      return emulator
    },
    harness(options?: HarnessOptions): EngineHarness {
      harness = new EngineHarness(options)
      return harness
    },
  }
}
