import { createReadStream, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { basename, extname } from 'node:path'
import sirv from 'sirv'
import { CONTENT_SECURITY_POLICY } from '../shared/csp.ts'

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => void

/**
 * Serves the built renderer through sirv. Unknown paths without an extension get `index.html` (the app
 * routes itself); nothing outside the folder is ever served (sirv resolves every path inside it).
 * The folder is read on each request (sirv's `dev` mode) because `headcount serve` in a checkout may
 * rebuild it while serving, replacing every file: a listing taken at start would go stale.
 */
export function staticFiles(root: string): StaticHandler {
  const serve = sirv(root, {
    dev: true,
    single: true,
    setHeaders(response, pathname) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value)
      // Built assets carry a content hash in their names; the page itself (any path without an
      // extension falls back to it) must always be fresh.
      const asset = extname(pathname) !== '' && extname(pathname) !== '.html'
      response.setHeader('Cache-Control', asset ? 'public, max-age=31536000, immutable' : 'no-store')
    },
    onNoMatch(request, response) {
      const pathname = new URL(request.url ?? '/', 'http://localhost').pathname
      if (extname(pathname)) {
        response.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('Not found')
        return
      }
      // Only reached when index.html itself is missing.
      response
        .writeHead(503, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS })
        .end('The web UI is not built yet: run `npm run build` first.')
    },
  })
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end('Method not allowed')
      return
    }
    serve(request, response)
  }
}

/** A finished export as a download; 404 when the id is unknown or the file is gone. */
export function sendDownload(file: string | null, response: ServerResponse): void {
  let size: number | null = null
  try {
    if (file) size = statSync(file).size
  } catch {
    size = null
  }
  if (!file || size === null) {
    response
      .writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS })
      .end('No such export (it may have been cancelled or removed)')
    return
  }
  response.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Length': size,
    'Content-Disposition': `attachment; filename="${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
  })
  createReadStream(file).pipe(response)
}
