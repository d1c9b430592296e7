import { createReadStream, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { basename, extname, join, normalize, sep } from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../shared/csp.ts'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const candidate = normalize(join(root, decoded))
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep) ? candidate : null
}

/**
 * Serves the built renderer. Unknown paths without an extension fall back to `index.html` (the app
 * routes itself); anything outside the folder is refused.
 */
export function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end('Method not allowed')
    return
  }
  const url = new URL(request.url ?? '/', 'http://localhost')
  let file = resolveInside(root, url.pathname === '/' ? '/index.html' : url.pathname)
  if (!file) {
    response.writeHead(400, SECURITY_HEADERS).end('Bad path')
    return
  }
  let size: number
  try {
    const stat = statSync(file)
    if (!stat.isFile()) throw new Error('not a file')
    size = stat.size
  } catch {
    if (extname(url.pathname)) {
      response.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('Not found')
      return
    }
    file = join(root, 'index.html')
    try {
      size = statSync(file).size
    } catch {
      response
        .writeHead(503, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS })
        .end('The web UI is not built yet: run `npm run build` first.')
      return
    }
  }
  const isHtml = extname(file) === '.html'
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    'Cache-Control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
    ...SECURITY_HEADERS,
  })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  createReadStream(file).pipe(response)
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
