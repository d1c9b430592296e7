import { EventEmitter } from 'node:events'
import type * as v8 from 'node:v8'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { STOP_YOUNG_GENERATION_GROWTH } from '../core/young-generation.ts'
import { METHOD_NAMES, type MethodName } from '../shared/contract.ts'
import type { Envelope } from '../shared/envelope.ts'
import { callChannel } from '../shared/ipc-channels.ts'
import type { Status } from '../shared/status.ts'
import { MemoryStore } from './test-doubles.ts'

/** Builds a fake `electron` module whose pieces the test can inspect after the bootstrap ran. */
function fakeElectron(gotLock: boolean) {
  const userData = mkdtempSync(join(tmpdir(), 'headcount-user-data-'))
  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    requestSingleInstanceLock: vi.fn(() => gotLock),
    quit: vi.fn(),
    whenReady: vi.fn(async () => {}),
    getVersion: () => '1.2.3',
    // The engine creates (and tightens) its data folder, so each boot gets a fresh one.
    getPath: () => userData,
    getAppPath: () => '/opt/headcount',
  })
  const windows: FakeWindow[] = []
  class FakeWindow extends EventEmitter {
    options: unknown
    webContents = Object.assign(new EventEmitter(), {
      setWindowOpenHandler: vi.fn(),
      send: vi.fn(),
      isDestroyed: () => false,
    })
    loadFile = vi.fn(async () => {})
    loadURL = vi.fn(async () => {})
    constructor(options: unknown) {
      super()
      this.options = options
      windows.push(this)
    }
    static getAllWindows = () => windows
    static getFocusedWindow = () => windows[0] ?? null
  }
  const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() }
  const session = {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    },
  }
  return {
    app,
    BrowserWindow: FakeWindow,
    windows,
    ipcMain,
    session,
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((template: unknown) => template) },
    dialog: { showSaveDialog: vi.fn() },
    // Reversible but not plain, as the OS keychain would be: the demo saves a profile with its secret.
    safeStorage: {
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptStringAsync: async (plain: string) => Buffer.from([...plain].reverse().join(''), 'utf8'),
      decryptStringAsync: async (cipher: Buffer) => ({
        result: [...cipher.toString('utf8')].reverse().join(''),
        shouldReEncrypt: false,
      }),
    },
    shell: { openExternal: vi.fn() },
  }
}

/** In order: what the main process asked of V8's flags, when it loaded Electron, when it took the lock. */
const calls: string[] = []

async function boot(gotLock: boolean) {
  vi.resetModules()
  calls.length = 0
  const electron = fakeElectron(gotLock)
  const requestLock = electron.app.requestSingleInstanceLock
  electron.app.requestSingleInstanceLock = vi.fn(() => {
    calls.push('requestSingleInstanceLock')
    return requestLock()
  })
  vi.doMock('electron', () => {
    calls.push('electron imported')
    return electron
  })
  vi.doMock('electron-store', () => ({ default: MemoryStore }))
  // Recorded, not applied: V8's flags would last for the rest of this test process.
  vi.doMock('node:v8', async (importOriginal) => ({
    ...(await importOriginal<typeof v8>()),
    setFlagsFromString: (flags: string) => void calls.push(`v8 ${flags}`),
  }))
  await import('./index.ts')
  await vi.waitFor(() => expect(gotLock ? electron.windows.length : 0).toBe(gotLock ? 1 : 0))
  return electron
}

afterEach(() => {
  vi.doUnmock('electron')
  vi.doUnmock('electron-store')
  vi.doUnmock('node:v8')
})

describe('main process bootstrap', () => {
  it('holds V8’s young generation before the app’s modules load (the engine runs in this process)', async () => {
    const electron = await boot(true)
    // Growth stopped first, then whatever holding it takes, all before the app's modules load.
    expect(calls[0]).toBe(`v8 ${STOP_YOUNG_GENERATION_GROWTH}`)
    const loaded = calls.indexOf('electron imported')
    expect(calls.slice(0, loaded).every((call) => call.startsWith('v8 '))).toBe(true)
    expect(calls.slice(loaded)).toEqual(['electron imported', 'requestSingleInstanceLock'])
    electron.app.emit('before-quit')
  })

  it('quits when another Headcount already runs', async () => {
    const electron = await boot(false)
    expect(electron.app.quit).toHaveBeenCalled()
    expect(electron.ipcMain.handle).not.toHaveBeenCalled()
  })

  it('hardens the session, binds every contract method and opens a secure window', async () => {
    const electron = await boot(true)
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled()
    const channels = electron.ipcMain.handle.mock.calls.map((call) => call[0])
    expect(channels.sort()).toEqual(METHOD_NAMES.map(callChannel).sort())
    const [window] = electron.windows
    expect(window?.options).toMatchObject({
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false },
    })
    expect(window?.loadFile).toHaveBeenCalledWith(expect.stringMatching(/renderer[/\\]index\.html$/))
    expect(window?.webContents.setWindowOpenHandler).toHaveBeenCalled()
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalled()
  })

  it('answers over IPC through the engine host: this computer’s engine, switchable', async () => {
    const electron = await boot(true)
    const appFrame = { senderFrame: { parent: null, url: 'file:///opt/headcount/out/renderer/index.html' } }
    const handler = (method: string) =>
      electron.ipcMain.handle.mock.calls.find((call) => call[0] === callChannel(method))?.[1] as (
        event: unknown,
        input?: unknown,
      ) => Promise<unknown>
    expect(await handler('engine.get')(appFrame)).toEqual({
      ok: true,
      value: { shell: 'desktop', shown: { kind: 'local' }, saved: null },
    })
    expect(await handler('status.get')(appFrame)).toMatchObject({ ok: true, value: { connection: 'disconnected' } })
    // A shared-server address in clear beyond this computer is refused before anything is tried.
    expect(await handler('engine.useRemote')(appFrame, { url: 'http://team.example:7480' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/must be reached over TLS/) },
    })
    electron.app.emit('before-quit')
  })

  it('starts the demo crowd in the main process and connects to it', { timeout: 30_000 }, async () => {
    const electron = await boot(true)
    const call = async (method: MethodName) => {
      const entry = electron.ipcMain.handle.mock.calls.find((args) => args[0] === callChannel(method))
      const handle = entry?.[1] as (event: unknown, input: unknown) => Promise<Envelope<Status>>
      // As the app's own window calls it (a packaged build loads its page from a file).
      return handle({ senderFrame: { parent: null, url: 'file:///opt/headcount/out/renderer/index.html' } }, undefined)
    }
    try {
      expect(await call('demo.start')).toMatchObject({
        ok: true,
        value: { demo: true, profile: 'Demo (embedded emulator)' },
      })
    } finally {
      expect(await call('demo.stop')).toMatchObject({ ok: true, value: { demo: false, connection: 'disconnected' } })
      electron.app.emit('before-quit')
    }
  })
})
