import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { Engine } from '../../../src/core/engine.ts'
import { MemorySecretStore } from '../../../src/core/secret-store.ts'
import { FileSettingsStore } from '../../../src/core/settings-store.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { startWebServer, type RunningWebServer, type WebServerOptions } from '../../../src/server/web-server.ts'
import type { ServerFrame } from '../../../src/shared/wire.ts'

export interface WebMode {
  engine: Engine
  server: RunningWebServer
  dataDir: string
  close(): Promise<void>
}

/** A real engine (settings on disk) behind a real web-mode server on a free port. */
export async function startWebMode(options: Partial<WebServerOptions> = {}): Promise<WebMode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-web-'))
  const engine = new Engine({
    version: '0.0.0-test',
    runtime: 'web',
    dataDir,
    settings: new FileSettingsStore(join(dataDir, 'settings.json'), silentLogger),
    secrets: new MemorySecretStore(),
    demo: null,
  })
  const staticDir = mkdtempSync(join(tmpdir(), 'headcount-static-'))
  const server = await startWebServer({
    handlers: engine.handlers,
    events: engine.events,
    staticDir,
    port: 0,
    ...options,
  })
  return {
    engine,
    server,
    dataDir,
    async close() {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(staticDir, { recursive: true, force: true })
    },
  }
}

/** A WebSocket client speaking web mode's frames, collecting replies and events. */
export class ApiSocket {
  readonly frames: ServerFrame[] = []
  private waiters: (() => void)[] = []
  readonly socket: WebSocket

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as ServerFrame)
      for (const wake of this.waiters.splice(0)) wake()
    })
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<ApiSocket> {
    const socket = new WebSocket(url, { headers })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)))
    })
    return new ApiSocket(socket)
  }

  async next(predicate: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
    for (;;) {
      const found = this.frames.find(predicate)
      if (found) return found
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching frame within 5 s')), 5000)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async call(id: number, method: string, input?: unknown): Promise<ServerFrame> {
    this.socket.send(JSON.stringify({ id, method, input }))
    return this.next((frame) => 'id' in frame && frame.id === id)
  }

  close(): void {
    this.socket.close()
  }
}

export function apiUrl(server: RunningWebServer): string {
  return `ws://127.0.0.1:${server.port}/api`
}
