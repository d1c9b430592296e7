import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { staticFiles } from './static-files.ts'

const SECRET = 'outside-the-ui-folder'
const INDEX = '<!doctype html><title>Headcount</title>'

let work: string
let ui: string
let server: Server
let port: number

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw request: the path goes out exactly as written, with no normalising by a client. */
function get(path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'headcount-static-'))
  ui = join(work, 'renderer')
  mkdirSync(join(ui, 'assets'), { recursive: true })
  writeFileSync(join(ui, 'index.html'), INDEX)
  writeFileSync(join(ui, 'assets', 'index-abc123.js'), 'console.log("app")\n')
  // Outside the folder: next to it, and in a sibling whose name starts with the folder's name.
  writeFileSync(join(work, 'secret.txt'), SECRET)
  mkdirSync(join(work, 'renderer-other'))
  writeFileSync(join(work, 'renderer-other', 'secret.txt'), SECRET)
  const serve = staticFiles(ui)
  server = createServer((req, res) => serve(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

describe('the static file server for the built UI', () => {
  it('serves the page, fresh every time, with the security headers', async () => {
    for (const path of ['/', '/index.html', '/?token=abc']) {
      const reply = await get(path)
      expect(reply.status, path).toBe(200)
      expect(reply.body).toBe(INDEX)
      expect(reply.headers['content-type']).toMatch(/^text\/html/)
      expect(reply.headers['cache-control']).toBe('no-store')
      expect(reply.headers['content-security-policy']).toContain("default-src 'self'")
      expect(reply.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('answers a path without an extension with the page, which routes itself', async () => {
    const reply = await get('/rooms')
    expect(reply.status).toBe(200)
    expect(reply.body).toBe(INDEX)
    expect(reply.headers['cache-control']).toBe('no-store')
  })

  it('serves hashed assets as immutable, and 404s a missing one', async () => {
    const asset = await get('/assets/index-abc123.js')
    expect(asset.status).toBe(200)
    expect(asset.body).toBe('console.log("app")\n')
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const missing = await get('/assets/missing.js')
    expect(missing.status).toBe(404)
    expect(missing.headers['content-security-policy']).toBeDefined()
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('/', 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    const post = await get('/', 'POST')
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
  })

  it('never serves a file outside its folder, however the path is written', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%2E%2E/%2E%2E/secret.txt',
      '/..%252fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/../renderer-other/secret.txt',
      '/%2e%2e/renderer-other/secret.txt',
      '//../secret.txt',
      '/secret.txt%00.js',
      '/%',
    ]
    for (const path of attempts) {
      const reply = await get(path)
      expect(reply.body, path).not.toContain(SECRET)
      // Refused outright, or answered with the app's own page.
      if (reply.status === 200) expect(reply.body, path).toBe(INDEX)
      else expect(reply.status, path).toBe(404)
    }
  })

  it('serves what a rebuild put in the folder while it was running', async () => {
    writeFileSync(join(ui, 'assets', 'index-def456.js'), 'console.log("rebuilt")\n')
    const reply = await get('/assets/index-def456.js')
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('console.log("rebuilt")\n')
  })

  it('says what to run when the UI is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'headcount-unbuilt-'))
    const serve = staticFiles(empty)
    const unbuilt = createServer((req, res) => serve(req, res))
    await new Promise<void>((resolve) => unbuilt.listen(0, '127.0.0.1', resolve))
    const saved = port
    port = (unbuilt.address() as AddressInfo).port
    try {
      const page = await get('/')
      expect(page.status).toBe(503)
      expect(page.body).toMatch(/npm run build/)
      expect((await get('/assets/index-abc123.js')).status).toBe(404)
    } finally {
      port = saved
      await new Promise<void>((resolve) => unbuilt.close(() => resolve()))
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
