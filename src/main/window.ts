import { BrowserWindow, shell } from 'electron'
import { join } from 'node:path'
import { hardenWebContents, secureWebPreferences } from './security.ts'

export interface RendererLocation {
  /** `file://` for the packaged renderer, else the dev server's origin. */
  origin: string
  load(window: BrowserWindow): Promise<void>
}

export function rendererLocation(devServerUrl: string | undefined, outDir: string): RendererLocation {
  if (devServerUrl) {
    return { origin: new URL(devServerUrl).origin, load: (window) => window.loadURL(devServerUrl) }
  }
  return { origin: 'file://', load: (window) => window.loadFile(join(outDir, 'renderer', 'index.html')) }
}

export function createMainWindow(location: RendererLocation, preloadPath: string, iconPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Headcount',
    icon: iconPath,
    backgroundColor: '#111418',
    webPreferences: secureWebPreferences(preloadPath),
  })
  hardenWebContents(window.webContents, location.origin, (url) => shell.openExternal(url))
  window.once('ready-to-show', () => window.show())
  void location.load(window)
  return window
}
