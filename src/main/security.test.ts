import { EventEmitter } from 'node:events'
import type { Session, WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../shared/csp.ts'
import { hardenSession, hardenWebContents, isAllowedExternalUrl, isAppUrl, secureWebPreferences } from './security.ts'

describe('secureWebPreferences', () => {
  it('sandboxes and isolates the renderer and gives it no Node', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    })
  })
})

describe('external links', () => {
  it('open only https links to allowlisted hosts', () => {
    expect(isAllowedExternalUrl('https://pusher.com/docs/channels/')).toBe(true)
    expect(isAllowedExternalUrl('https://github.com/pusher/pusher-js')).toBe(true)
    expect(isAllowedExternalUrl('http://pusher.com/')).toBe(false)
    expect(isAllowedExternalUrl('https://pusher.com.evil.example/')).toBe(false)
    expect(isAllowedExternalUrl('https://user:pass@pusher.com/')).toBe(false)
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false)
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false)
    expect(isAllowedExternalUrl('not a url')).toBe(false)
  })
})

describe('isAppUrl', () => {
  it('accepts only the app origin', () => {
    expect(isAppUrl('file:///opt/headcount/out/renderer/index.html', 'file://')).toBe(true)
    expect(isAppUrl('https://example.com/', 'file://')).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/rooms', 'http://localhost:5173')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isAppUrl('::', 'file://')).toBe(false)
  })
})

function fakeContents() {
  const emitter = new EventEmitter()
  let openHandler: ((details: { url: string }) => { action: string }) | undefined
  const contents = Object.assign(emitter, {
    setWindowOpenHandler: (handler: typeof openHandler) => {
      openHandler = handler
    },
  })
  return { contents: contents as unknown as WebContents, open: (url: string) => openHandler?.({ url }) }
}

describe('hardenWebContents', () => {
  it('blocks navigation and redirects away from the app', () => {
    const { contents } = fakeContents()
    hardenWebContents(contents, 'file://', async () => {})
    for (const event of ['will-navigate', 'will-redirect']) {
      const away = { preventDefault: vi.fn() }
      contents.emit(event as 'will-navigate', away, 'https://evil.example/')
      expect(away.preventDefault).toHaveBeenCalled()
      const inside = { preventDefault: vi.fn() }
      contents.emit(event as 'will-navigate', inside, 'file:///app/out/renderer/index.html')
      expect(inside.preventDefault).not.toHaveBeenCalled()
    }
    const webview = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', webview)
    expect(webview.preventDefault).toHaveBeenCalled()
  })

  it('denies every new window and hands only allowlisted links to the browser', () => {
    const { contents, open } = fakeContents()
    const openExternal = vi.fn(async () => {})
    hardenWebContents(contents, 'file://', openExternal)
    expect(open('https://pusher.com/docs')).toEqual({ action: 'deny' })
    expect(open('https://evil.example/')).toEqual({ action: 'deny' })
    expect(openExternal).toHaveBeenCalledTimes(1)
    expect(openExternal).toHaveBeenCalledWith('https://pusher.com/docs')
  })
})

describe('hardenSession', () => {
  it('denies every permission and sends the CSP header', () => {
    let requestHandler: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined
    let checkHandler: (() => boolean) | undefined
    let deviceHandler: (() => boolean) | undefined
    let headersHandler: ((details: unknown, cb: (response: unknown) => void) => void) | undefined
    const session = {
      setPermissionRequestHandler: (handler: typeof requestHandler) => (requestHandler = handler),
      setPermissionCheckHandler: (handler: typeof checkHandler) => (checkHandler = handler),
      setDevicePermissionHandler: (handler: typeof deviceHandler) => (deviceHandler = handler),
      webRequest: { onHeadersReceived: (handler: typeof headersHandler) => (headersHandler = handler) },
    }
    hardenSession(session as unknown as Session)

    const granted = vi.fn()
    requestHandler?.({}, 'media', granted)
    expect(granted).toHaveBeenCalledWith(false)
    expect(checkHandler?.()).toBe(false)
    expect(deviceHandler?.()).toBe(false)
    const respond = vi.fn()
    headersHandler?.({ responseHeaders: { 'X-Other': ['1'] } }, respond)
    expect(respond).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })
})
