import { copyFile } from 'node:fs/promises'
import { basename } from 'node:path'
import {
  contract,
  isEventName,
  isMethodName,
  isShellMethodName,
  type EventName,
  type EventPayload,
  type MethodName,
  type ShellMethodName,
} from '../../shared/contract.ts'
import {
  parseServerAddress,
  ServerAddressError,
  type EngineSwitchResult,
  type EngineView,
  type RemoteServerInput,
} from '../../shared/engine-choice.ts'
import { ApiError, fail, type Envelope } from '../../shared/envelope.ts'
import { describeIssues } from '../../shared/issues.ts'
import type { Engine } from '../engine.ts'
import type { AnyEventListener } from '../events.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { dispatch, type Handlers } from '../rpc/dispatch.ts'
import type { SecretStore } from '../secret-store.ts'
import { RemoteConnectError } from './connect-errors.ts'
import { downloadRemoteExport, remoteExportName } from './remote-downloads.ts'
import { RemoteEngine, type RemoteServerOptions } from './remote-engine.ts'

/** What the desktop remembers about the engine to show (its settings file; the token is kept apart). */
export interface EngineChoice {
  shown: 'local' | 'remote'
  /** The shared server last chosen: its address as given back to the form, and the certificate trusted for it. */
  server: { url: string; fingerprint: string | null } | null
}

export interface EngineChoiceStore {
  read(): EngineChoice
  write(choice: EngineChoice): void
}

/** The shared server's access token in the secret store; `:` keeps it apart from every profile id. */
export const SHARED_SERVER_TOKEN_KEY = 'engine:shared-server'

/** A finished export's file, wherever the engine shown keeps it: for the desktop's "Save as". */
export interface ExportFiles {
  /** The name to offer in the save dialog; throws an `ApiError` when there is no such finished export. */
  nameOf(id: string): Promise<string>
  saveTo(id: string, destination: string): Promise<void>
}

/** This computer's engine keeps finished exports in its own folder: save-as copies them. */
export function localExportFiles(engine: Pick<Engine, 'exportFile'>): ExportFiles {
  const fileOf = (id: string) => {
    const file = engine.exportFile(id)
    if (!file) throw new ApiError('failed', 'That export is not finished, or its file is gone')
    return file
  }
  return {
    nameOf: async (id) => basename(fileOf(id)),
    async saveTo(id, destination) {
      try {
        await copyFile(fileOf(id), destination)
      } catch (error) {
        if (error instanceof ApiError) throw error
        throw new ApiError('failed', `Could not save to ${destination}: ${(error as Error).message}`)
      }
    },
  }
}

/** Save dialogs: answered by the desktop shell, never sent to a shared server. */
type DesktopSaveMethod = 'export.saveAs' | 'export.saveFile'
const isDesktopSave = (method: string): method is DesktopSaveMethod =>
  method === 'export.saveAs' || method === 'export.saveFile'

export interface EngineHostOptions {
  /** Makes this computer's engine; called at start (when it is the one shown) and on each switch back. */
  createLocal(): Engine
  choices: EngineChoiceStore
  /** Where the shared server's token is kept (the desktop's safeStorage store). */
  secrets: SecretStore
  /** Methods the desktop shell itself answers whichever engine is shown (save-as dialogs). */
  shellHandlers: Pick<Handlers, DesktopSaveMethod>
  logger?: Logger
  /** Connection tuning for the shared server (tests shorten the waits). */
  remoteTuning?: Pick<RemoteServerOptions, 'connectTimeoutMs' | 'callTimeoutMs' | 'retryDelaysMs'>
}

type Shown = { kind: 'local'; engine: Engine } | { kind: 'remote'; remote: RemoteEngine; server: RemoteServerOptions }

function sameApi(savedUrl: string, apiUrl: string): boolean {
  try {
    return parseServerAddress(savedUrl).apiUrl === apiUrl
  } catch {
    return false
  }
}

/** Listeners of whichever engine is shown; the host re-attaches them on every switch. */
class EventRelay {
  private readonly listeners = new Set<AnyEventListener>()

  onAny(listener: AnyEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  forward<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) listener(event, payload)
  }
}

/**
 * The desktop's engine: this computer's own, or a shared `headcount serve` reached over wss, behind
 * one dispatcher the IPC binding calls. The renderer keeps talking IPC either way; the token, the
 * TLS verification and the pinned certificate stay in the main process.
 *
 * Only one engine runs: while a shared server is shown, this computer's engine is closed (no poll,
 * no webhook listener, no broadcaster, its history file shut), so two engines never watch the same
 * app from one desk. Switching back starts it again, resuming its own last connection.
 */
export class EngineHost {
  readonly events = new EventRelay()
  private readonly options: EngineHostOptions
  private readonly logger: Logger
  private shown: Shown | null = null
  private detach: () => void = () => {}
  private hasToken = false
  /** Serialises switches: two clicks never leave two engines running. */
  private switching: Promise<unknown> = Promise.resolve()
  private ready: Promise<void> = Promise.resolve()
  private readonly ownHandlers: Pick<Handlers, ShellMethodName>
  /** The handler table for the engine shown, made once per switch. */
  private handlersOf: { shown: Shown | null; handlers: Handlers | null } = { shown: null, handlers: null }

  constructor(options: EngineHostOptions) {
    this.options = options
    this.logger = options.logger ?? silentLogger
    this.ownHandlers = {
      'engine.get': () => this.view(),
      'engine.useRemote': (input) => this.useRemote(input),
      'engine.useLocal': () => this.useLocal(),
    }
  }

  /**
   * Shows the engine chosen last time; resolves once it is in place (this computer's engine resumes its
   * last connection in the background, as the app always did). A shared server that can't be reached
   * is retried, never replaced by this computer's engine unasked.
   */
  start(): Promise<void> {
    this.ready = this.showChosen()
    return this.ready
  }

  private async showChosen(): Promise<void> {
    const choice = this.options.choices.read()
    this.hasToken = await this.options.secrets.has(SHARED_SERVER_TOKEN_KEY)
    if (choice.shown === 'remote' && choice.server) {
      const server = await this.savedServer(choice.server)
      if (server) {
        const remote = new RemoteEngine(server)
        this.show({ kind: 'remote', remote, server })
        remote.start()
        return
      }
    }
    this.showLocal()
  }

  private showLocal(): void {
    const engine = this.options.createLocal()
    this.show({ kind: 'local', engine })
    void engine.resume()
  }

  view(): EngineView {
    const saved = this.options.choices.read().server
    const shown = this.shown
    return {
      shell: 'desktop',
      shown:
        shown?.kind === 'remote'
          ? {
              kind: 'remote',
              url: shown.remote.address.shown,
              state: shown.remote.state,
              problem: shown.remote.problem,
            }
          : { kind: 'local' },
      saved: saved && { url: saved.url, fingerprint: saved.fingerprint, hasToken: this.hasToken },
    }
  }

  /** Answers one contract call from the renderer: the shell's own methods here, the rest by the engine shown. */
  async dispatch(method: unknown, input: unknown): Promise<Envelope<unknown>> {
    // A call that arrives while the app is still starting waits for the engine to be in place.
    if (!this.shown) {
      await this.ready
      await this.switching
    }
    const shown = this.shown
    if (shown?.kind === 'remote' && isMethodName(method) && !isShellMethodName(method) && !isDesktopSave(method)) {
      return this.forward(shown.remote, method, input)
    }
    return dispatch(this.localHandlers(), method, input, this.logger)
  }

  /** The export files of the engine shown, for the desktop's "Save as". */
  exportFiles(): ExportFiles {
    const shown = this.shown
    if (shown?.kind === 'remote') {
      return {
        nameOf: (id) => remoteExportName(shown.server, id),
        saveTo: (id, destination) => downloadRemoteExport(shown.server, id, destination),
      }
    }
    if (!shown) throw new ApiError('failed', 'No engine is running yet')
    return localExportFiles(shown.engine)
  }

  async close(): Promise<void> {
    await this.switching
    await this.stopShown()
  }

  private localHandlers(): Handlers {
    const shown = this.shown
    if (this.handlersOf.shown === shown && this.handlersOf.handlers) return this.handlersOf.handlers
    const missing = () => {
      throw new ApiError('failed', 'This computer’s engine is not running: a shared server is chosen')
    }
    const engineHandlers =
      shown?.kind === 'local'
        ? shown.engine.handlers
        : (Object.fromEntries(
            Object.keys(contract.methods)
              .filter((name) => !isShellMethodName(name))
              .map((name) => [name, missing]),
          ) as unknown as Engine['handlers'])
    const handlers = { ...engineHandlers, ...this.options.shellHandlers, ...this.ownHandlers }
    this.handlersOf = { shown, handlers }
    return handlers
  }

  /**
   * A call for the shared server: checked against the contract here first (a bad call never travels),
   * sent as given, and its answer checked again, so a server of another version can't feed the
   * renderer anything the contract doesn't promise.
   */
  private async forward(remote: RemoteEngine, method: MethodName, input: unknown): Promise<Envelope<unknown>> {
    const spec = contract.methods[method]
    const parsed = spec.input.safeParse(input)
    if (!parsed.success) return fail('bad-request', `Invalid input for ${method}: ${describeIssues(parsed.error)}`)
    const answer = await remote.call(method, input)
    if (!answer.ok) return answer
    const output = spec.output.safeParse(answer.value)
    if (output.success) return { ok: true, value: output.data }
    this.logger.warn(`the shared server's answer to ${method} is outside the contract`, output.error.issues)
    return fail(
      'internal',
      `The shared server's answer to ${method} is not what this console expects: it may run another version of Headcount`,
    )
  }

  private async useRemote(input: RemoteServerInput): Promise<EngineSwitchResult> {
    const next = this.switching.then(() => this.switchToRemote(input))
    this.switching = next.catch(() => {})
    return next
  }

  private async switchToRemote(input: RemoteServerInput): Promise<EngineSwitchResult> {
    let address
    try {
      address = parseServerAddress(input.url)
    } catch (error) {
      if (error instanceof ServerAddressError)
        throw new ApiError('bad-request', error.message, [{ path: 'url', message: error.message }])
      throw error
    }
    const saved = this.options.choices.read().server
    const sameServer = saved !== null && sameApi(saved.url, address.apiUrl)
    const token =
      input.token ??
      address.token ??
      (sameServer ? ((await this.options.secrets.get(SHARED_SERVER_TOKEN_KEY)) ?? null) : null)
    const pinnedFingerprint = input.fingerprint ?? (sameServer ? saved.fingerprint : null)
    const server: RemoteServerOptions = {
      address,
      token,
      pinnedFingerprint,
      logger: this.logger,
      ...this.options.remoteTuning,
    }
    const remote = new RemoteEngine(server)
    try {
      await remote.connect()
    } catch (error) {
      await remote.close()
      if (error instanceof RemoteConnectError && error.kind === 'certificate' && error.certificate)
        return { outcome: 'untrusted-certificate', message: error.message, certificate: error.certificate }
      throw new ApiError('failed', error instanceof Error ? error.message : String(error))
    }
    // Remember the token before anything is switched: if it can't be kept safely, nothing changes.
    try {
      if (token === null) await this.options.secrets.delete(SHARED_SERVER_TOKEN_KEY)
      else await this.options.secrets.set(SHARED_SERVER_TOKEN_KEY, token)
    } catch (error) {
      await remote.close()
      throw new ApiError('failed', `The access token could not be stored safely: ${(error as Error).message}`)
    }
    this.hasToken = token !== null
    const url = address.origin
    this.options.choices.write({ shown: 'remote', server: { url, fingerprint: pinnedFingerprint } })
    await this.stopShown()
    this.show({ kind: 'remote', remote, server })
    return { outcome: 'switched', engine: this.view() }
  }

  private async useLocal(): Promise<EngineView> {
    const next = this.switching.then(async () => {
      const choice = this.options.choices.read()
      this.options.choices.write({ ...choice, shown: 'local' })
      if (this.shown?.kind === 'local') return this.view()
      await this.stopShown()
      this.showLocal()
      return this.view()
    })
    this.switching = next.catch(() => {})
    return next
  }

  /**
   * The saved server with its token; null (with a warning) when its address no longer reads. A token
   * that can't be decrypted is left out: the server then says it wants one, and the operator gives it.
   */
  private async savedServer(saved: { url: string; fingerprint: string | null }): Promise<RemoteServerOptions | null> {
    let address
    try {
      address = parseServerAddress(saved.url)
    } catch (error) {
      this.logger.warn(
        `the saved shared server can't be used (${(error as Error).message}); showing this computer's engine`,
      )
      return null
    }
    let token: string | null = null
    try {
      token = (await this.options.secrets.get(SHARED_SERVER_TOKEN_KEY)) ?? null
    } catch (error) {
      this.logger.warn(`the shared server's access token could not be read: ${(error as Error).message}`)
    }
    return { address, token, pinnedFingerprint: saved.fingerprint, logger: this.logger, ...this.options.remoteTuning }
  }

  private show(shown: Shown): void {
    this.shown = shown
    if (shown.kind === 'local') {
      this.detach = shown.engine.events.onAny((event, payload) => this.events.forward(event, payload))
    } else {
      const offEvents = shown.remote.onEvent((event, payload) => this.relayRemoteEvent(event, payload))
      const offState = shown.remote.onStateChange(() => this.announce())
      this.detach = () => {
        offEvents()
        offState()
      }
    }
    this.announce()
  }

  /** An event from the shared server reaches the renderer only if the contract knows it and its payload fits. */
  private relayRemoteEvent(event: string, payload: unknown): void {
    if (!isEventName(event) || event === 'engine') {
      this.logger.warn(`the shared server sent an event this console does not know (${event.slice(0, 80)}); ignored`)
      return
    }
    const checked = contract.events[event].safeParse(payload)
    if (!checked.success) {
      this.logger.warn(`the shared server's ${event} event is outside the contract; ignored`)
      return
    }
    this.events.forward(event, checked.data as EventPayload<typeof event>)
  }

  private announce(): void {
    this.events.forward('engine', this.view())
  }

  private async stopShown(): Promise<void> {
    const shown = this.shown
    this.detach()
    this.detach = () => {}
    this.shown = null
    if (shown?.kind === 'local') await shown.engine.close()
    if (shown?.kind === 'remote') await shown.remote.close()
  }
}
