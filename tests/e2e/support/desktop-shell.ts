import type { Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../../src/core/engine.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { EngineHost, type EngineChoice, type EngineChoiceStore } from '../../../src/core/remote/engine-host.ts'
import { MemorySecretStore } from '../../../src/core/secret-store.ts'
import { FileSettingsStore } from '../../../src/core/settings-store.ts'
import { staticFiles } from '../../../src/server/static-files.ts'

const RENDERER = join(import.meta.dirname, '..', '..', '..', 'out', 'renderer')

class MemoryChoices implements EngineChoiceStore {
  private current: EngineChoice = { shown: 'local', server: null }
  read(): EngineChoice {
    return this.current
  }
  write(choice: EngineChoice): void {
    this.current = structuredClone(choice)
  }
}

/**
 * The desktop console without Electron (whose binary can't be downloaded here): the built renderer in
 * Chromium, and behind it the desktop's real main-process logic (the engine host with this
 * computer's engine, or a shared server over wss). What the preload does (a `window.headcount` with
 * `invoke` and `subscribe`, nothing else) is done here by an init script over Playwright's bridge.
 */
export class DesktopShell {
  readonly host: EngineHost
  readonly dataDir = mkdtempSync(join(tmpdir(), 'headcount-desk-e2e-'))
  private readonly files: Server
  private readonly detach: () => void
  private readonly page: Page
  url = ''

  private constructor(page: Page) {
    this.page = page
    const settings = new FileSettingsStore(join(this.dataDir, 'settings.json'), silentLogger)
    const secrets = new MemorySecretStore()
    this.host = new EngineHost({
      createLocal: () =>
        new Engine({
          version: '0.0.0-desk',
          runtime: 'electron',
          dataDir: this.dataDir,
          settings,
          secrets,
          demo: null,
        }),
      choices: new MemoryChoices(),
      secrets,
      shellHandlers: { 'export.saveAs': () => ({ savedTo: null }), 'export.saveFile': () => ({ savedTo: null }) },
    })
    const serve = staticFiles(RENDERER)
    this.files = createServer((request, response) => serve(request, response))
    // Events reach the page as the main process's webContents.send would; one lost while the page
    // reloads is lost there too.
    this.detach = this.host.events.onAny((event, payload) => {
      void this.page
        .evaluate(({ name, body }) => (window as unknown as DeskWindow).__desktopEmit?.(name, body), {
          name: event as string,
          body: payload as unknown,
        })
        .catch(() => {})
    })
  }

  static async open(page: Page): Promise<DesktopShell> {
    const shell = new DesktopShell(page)
    await shell.host.start()
    await new Promise<void>((resolve) => shell.files.listen(0, '127.0.0.1', resolve))
    shell.url = `http://127.0.0.1:${(shell.files.address() as AddressInfo).port}/`
    await page.exposeFunction('__desktopInvoke', (method: string, input: unknown) => shell.host.dispatch(method, input))
    await page.addInitScript(() => {
      const target = window as unknown as DeskWindow
      const listeners = new Map<string, Set<(payload: unknown) => void>>()
      target.__desktopEmit = (event, payload) => {
        for (const listener of listeners.get(event) ?? []) listener(payload)
      }
      const bridge = {
        invoke: (method: string, input: unknown) => target.__desktopInvoke(method, input),
        subscribe(event: string, listener: (payload: unknown) => void) {
          const set = listeners.get(event) ?? new Set()
          listeners.set(event, set)
          set.add(listener)
          return () => {
            set.delete(listener)
          }
        },
      }
      Object.defineProperty(window, 'headcount', { value: Object.freeze(bridge) })
    })
    await page.goto(shell.url)
    return shell
  }

  async close(): Promise<void> {
    this.detach()
    await this.host.close()
    await new Promise((resolve) => this.files.close(resolve))
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

interface DeskWindow {
  __desktopInvoke(method: string, input: unknown): Promise<unknown>
  __desktopEmit?(event: string, payload: unknown): void
}
