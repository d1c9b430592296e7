import type { Session, WebContents, WebPreferences } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../shared/csp.ts'

/** Hosts an in-app link may open in the operator's browser; everything else is dropped. */
export const EXTERNAL_LINK_ALLOWLIST: readonly string[] = [
  'pusher.com',
  'docs.pusher.com',
  'dashboard.pusher.com',
  'github.com',
]

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    EXTERNAL_LINK_ALLOWLIST.includes(url.hostname)
  )
}

/** The renderer gets no Node, no direct IPC and a sandboxed, isolated preload. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // A middle click would otherwise open links in a new window, bypassing the window-open handler.
    disableBlinkFeatures: 'Auxclick',
  }
}

/** Whether a URL belongs to the app's own renderer (the packaged file or the dev server). */
export function isAppUrl(raw: string, appOrigin: string): boolean {
  try {
    const url = new URL(raw)
    if (appOrigin === 'file://') return url.protocol === 'file:'
    return url.origin === appOrigin
  } catch {
    return false
  }
}

/**
 * Session-wide rules: every permission (camera, notifications, geolocation…) denied, and the CSP sent
 * as a header on every response, so it holds even for content the meta tag would not cover.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    })
  })
}

/**
 * Per-window rules: no navigation away from the app, no new windows, no webviews; allowlisted links
 * open in the system browser through `openExternal`.
 */
export function hardenWebContents(
  contents: WebContents,
  appOrigin: string,
  openExternal: (url: string) => Promise<void>,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void openExternal(url)
    return { action: 'deny' }
  })
}
