import { app, BrowserWindow, dialog, Menu, safeStorage, session, shell } from 'electron'
import { join } from 'node:path'
import { Engine } from '../core/engine.ts'
import { consoleLogger } from '../core/logger.ts'
import { EngineHost } from '../core/remote/engine-host.ts'
import { startDemoCrowd } from '../emulator/demo.ts'
import { notifyAlerts } from './alert-notifications.ts'
import { createSaveAsHandler, createSaveFileHandler } from './export-save.ts'
import { bindContractToIpc, createSenderCheck, forwardEventsToWindows } from './ipc.ts'
import { menuTemplate } from './menu.ts'
import { SafeStorageSecretStore } from './secrets.ts'
import { hardenSession, isAppUrl } from './security.ts'
import { ElectronSettingsStore } from './settings.ts'
import { createMainWindow, rendererLocation } from './window.ts'

const isDev = !app.isPackaged

/** Starts the desktop app, whose built files (main, preload, renderer) are in `outDir`. */
export function startApp(outDir: string): void {
  // A second console on the same profile would fight over the database and the broadcaster.
  if (!app.requestSingleInstanceLock()) {
    app.quit()
  } else {
    void start(outDir)
  }
}

async function start(outDir: string): Promise<void> {
  await app.whenReady()
  hardenSession(session.defaultSession)

  const dataDir = app.getPath('userData')
  const settings = new ElectronSettingsStore(consoleLogger, { dir: dataDir })
  const secrets = new SafeStorageSecretStore(safeStorage, process.platform, { dir: dataDir }, consoleLogger)
  // This computer's engine, or a shared server's: only one runs at a time (engine-host.ts says why).
  const host: EngineHost = new EngineHost({
    createLocal: () =>
      new Engine({
        version: app.getVersion(),
        runtime: 'electron',
        electronVersion: process.versions.electron,
        dataDir,
        settings,
        secrets,
        logger: consoleLogger,
        // The demo crowd runs in this process, on the embedded emulator.
        demo: { start: () => startDemoCrowd() },
      }),
    choices: settings.engineChoice,
    secrets,
    shellHandlers: {
      'export.saveAs': createSaveAsHandler(
        () => host.exportFiles(),
        dialog,
        () => BrowserWindow.getFocusedWindow(),
      ),
      'export.saveFile': createSaveFileHandler(dialog, () => BrowserWindow.getFocusedWindow()),
    },
    logger: consoleLogger,
  })

  const location = rendererLocation(isDev ? process.env.ELECTRON_RENDERER_URL : undefined, outDir)
  bindContractToIpc(
    (method, input) => host.dispatch(method, input),
    createSenderCheck((url) => isAppUrl(url, location.origin)),
    consoleLogger,
  )
  forwardEventsToWindows(host.events, () => BrowserWindow.getAllWindows().map((window) => window.webContents))

  const preload = join(outDir, 'preload', 'index.cjs')
  const icon = join(app.getAppPath(), 'resources', 'icon.png')
  let mainWindow = createMainWindow(location, preload, icon)
  void host.start()
  // Alerts are the engine's: they notify with the window hidden, or closed where the app stays open (macOS).
  notifyAlerts(host.events, () => {
    if (mainWindow.isDestroyed()) mainWindow = createMainWindow(location, preload, icon)
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
  })

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        {
          reload: () => mainWindow.webContents.reload(),
          toggleDevTools: () => mainWindow.webContents.toggleDevTools(),
          openDocs: () => void shell.openExternal('https://pusher.com/docs/channels/'),
          quit: () => app.quit(),
        },
        isDev,
      ),
    ),
  )

  app.on('second-instance', () => {
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(location, preload, icon)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('before-quit', () => void host.close())
}
