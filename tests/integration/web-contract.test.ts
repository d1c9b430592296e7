import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_FRIENDS_CSV_CHARS } from '../../src/shared/broadcast.ts'
import { MAX_FRAME_BYTES } from '../../src/shared/wire.ts'
import { apiUrl, ApiSocket, startWebMode, type WebMode } from './helpers/web-mode.ts'

let mode: WebMode | undefined
afterEach(async () => {
  await mode?.close()
  mode = undefined
})

describe("the contract over web mode's WebSocket", () => {
  it("answers calls with the engine's results and persists settings to disk", async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    expect(await client.call(1, 'app.info')).toMatchObject({
      id: 1,
      result: {
        ok: true,
        value: { name: 'Headcount', version: '0.0.0-test', runtime: 'web', nodeVersion: process.versions.node },
      },
    })
    expect(await client.call(2, 'settings.update', { theme: 'dark', rawRetentionDays: 14 })).toMatchObject({
      id: 2,
      result: { ok: true, value: { theme: 'dark', rawRetentionDays: 14 } },
    })
    const onDisk = JSON.parse(readFileSync(join(mode.dataDir, 'settings.json'), 'utf8'))
    expect(onDisk).toMatchObject({ theme: 'dark', rawRetentionDays: 14, version: 1 })
    client.close()
  })

  it('pushes engine events to every connected client', async () => {
    mode = await startWebMode()
    const first = await ApiSocket.open(apiUrl(mode.server))
    const second = await ApiSocket.open(apiUrl(mode.server))
    await first.call(1, 'settings.update', { theme: 'light' })
    const event = await second.next((frame) => 'event' in frame && frame.event === 'settings.changed')
    expect(event).toMatchObject({ event: 'settings.changed', payload: { theme: 'light' } })
    mode.engine.setStatus({ connection: 'connecting', message: 'Connecting to prod' })
    expect(await first.next((frame) => 'event' in frame && frame.event === 'status')).toMatchObject({
      payload: { connection: 'connecting', message: 'Connecting to prod' },
    })
    first.close()
    second.close()
  })

  it('refuses malformed and invalid calls with clear errors and keeps serving', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    client.socket.send('{"id": 1, "method": ')
    expect(await client.next((frame) => 'id' in frame && frame.id === null)).toMatchObject({
      result: { ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^Malformed frame: /) } },
    })
    client.frames.length = 0
    client.socket.send(JSON.stringify({ id: 'x', method: 'app.info' }))
    expect(await client.next((frame) => 'id' in frame)).toMatchObject({
      id: null,
      result: { ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^Malformed call: id/) } },
    })
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(
      await client.next((frame) => 'result' in frame && !frame.result.ok && /Binary/.test(frame.result.error.message)),
    ).toBeTruthy()
    expect(await client.call(5, 'settings.delete')).toMatchObject({
      id: 5,
      result: { ok: false, error: { code: 'unknown-method' } },
    })
    expect(await client.call(6, 'settings.update', { theme: 'purple' })).toMatchObject({
      id: 6,
      result: { ok: false, error: { code: 'bad-request', issues: [{ path: 'theme' }] } },
    })
    expect(await client.call(7, 'settings.get')).toMatchObject({ id: 7, result: { ok: true } })
    client.close()
  })

  it('closes a connection that sends an oversized frame, and others carry on', async () => {
    mode = await startWebMode()
    const abuser = await ApiSocket.open(apiUrl(mode.server))
    const closed = new Promise<number>((resolve) => abuser.socket.once('close', (code) => resolve(code)))
    abuser.socket.send(
      JSON.stringify({ id: 1, method: 'settings.update', input: { theme: 'x'.repeat(MAX_FRAME_BYTES) } }),
    )
    expect(await closed).toBe(1009)
    const other = await ApiSocket.open(apiUrl(mode.server))
    expect(await other.call(1, 'settings.get')).toMatchObject({ result: { ok: true } })
    other.close()
  })

  it('refuses WebSocket connections from other web pages', async () => {
    mode = await startWebMode()
    await expect(ApiSocket.open(apiUrl(mode.server), { Origin: 'https://evil.example' })).rejects.toThrow(/403/)
    const own = await ApiSocket.open(apiUrl(mode.server), { Origin: `http://127.0.0.1:${mode.server.port}` })
    own.close()
    await expect(ApiSocket.open(`ws://127.0.0.1:${mode.server.port}/elsewhere`)).rejects.toThrow(/404/)
  })

  it('requires a token when bound beyond loopback, and refuses to start without one', async () => {
    await expect(startWebMode({ host: '0.0.0.0' })).rejects.toThrow(/access token is required/)
    mode = await startWebMode({ host: '0.0.0.0', token: 'correct-horse-battery-staple' })
    expect(mode.server.url).toContain('?token=correct-horse-battery-staple')
    await expect(ApiSocket.open(apiUrl(mode.server))).rejects.toThrow(/401/)
    await expect(ApiSocket.open(`${apiUrl(mode.server)}?token=wrong`)).rejects.toThrow(/401/)
    const page = await fetch(`http://127.0.0.1:${mode.server.port}/`)
    expect(page.status).toBe(401)
    const withToken = await fetch(`http://127.0.0.1:${mode.server.port}/?token=correct-horse-battery-staple`)
    const cookie = withToken.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^headcount_token=correct-horse-battery-staple;.*HttpOnly/)
    const viaCookie = await ApiSocket.open(apiUrl(mode.server), { Cookie: cookie.split(';')[0] as string })
    expect(await viaCookie.call(1, 'app.info')).toMatchObject({ result: { ok: true } })
    viaCookie.close()
  })

  it('answers the unbuilt UI with a clear message and never serves files outside its folder', async () => {
    mode = await startWebMode()
    const base = `http://127.0.0.1:${mode.server.port}`
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(503)
    expect(await page.text()).toMatch(/npm run build/)
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404)
    const outside = await fetch(`${base}/..%2f..%2fpackage.json`)
    expect(outside.status).toBe(404)
    expect(await outside.text()).not.toContain('"name"')
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405)
  })
})

describe('raw sockets', () => {
  it('are not left open by close()', async () => {
    mode = await startWebMode()
    const socket = new WebSocket(apiUrl(mode.server))
    await new Promise((resolve) => socket.once('open', resolve))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    await mode.close()
    mode = undefined
    await closed
  })
})

describe('export downloads', () => {
  it('serve a finished export as an attachment and 404 anything else', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const file = join(mkdtempSync(join(tmpdir(), 'headcount-dl-')), 'headcount-sessions.csv')
    writeFileSync(file, 'room,user\r\nlobby,ana\r\n')
    mode = await startWebMode({ exportFile: (id) => (id === 'abc-123' ? file : null) })
    const base = `http://127.0.0.1:${mode.server.port}`
    const download = await fetch(`${base}/exports/abc-123`)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="headcount-sessions.csv"')
    expect(await download.text()).toBe('room,user\r\nlobby,ana\r\n')
    expect((await fetch(`${base}/exports/unknown`)).status).toBe(404)
  })
})

/** A plain GET with the Host header a browser on another name would send (fetch won't let us set it). */
async function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('DNS rebinding on a loopback bind without a token', () => {
  it('refuses a WebSocket, the API and an export download addressed to another name', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const file = join(mkdtempSync(join(tmpdir(), 'headcount-dl-')), 'headcount-sessions.csv')
    writeFileSync(file, 'room,user\r\nlobby,ana\r\n')
    mode = await startWebMode({ exportFile: (id) => (id === 'abc-123' ? file : null) })
    const port = mode.server.port
    const evil = `evil.example:${port}`

    // The page's origin and Host agree (it is the page's own name), so only the Host check can stop it.
    await expect(ApiSocket.open(apiUrl(mode.server), { Host: evil, Origin: `http://${evil}` })).rejects.toThrow(
      /HTTP 421/,
    )
    const download = await getWithHost(port, '/exports/abc-123', evil)
    expect(download.status).toBe(421)
    expect(download.body).toMatch(/answers only to localhost, 127\.0\.0\.1, \[::1\] on port \d+/)
    expect(download.body).not.toContain('lobby')
    expect((await getWithHost(port, '/', evil)).status).toBe(421)

    // Its own names still work, in any case and with a trailing dot.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`]) {
      const own = await ApiSocket.open(apiUrl(mode.server), { Host: host, Origin: `http://${host}` })
      expect(await own.call(1, 'app.info')).toMatchObject({ result: { ok: true } })
      own.close()
      expect(await getWithHost(port, '/exports/abc-123', host)).toEqual({
        status: 200,
        body: 'room,user\r\nlobby,ana\r\n',
      })
    }
  })

  it('lets any Host through when a token guards the server (it is what protects it then)', async () => {
    mode = await startWebMode({ host: '0.0.0.0', token: 'correct-horse-battery-staple' })
    const host = `headcount.internal:${mode.server.port}`
    const socket = await ApiSocket.open(`${apiUrl(mode.server)}?token=correct-horse-battery-staple`, { Host: host })
    expect(await socket.call(1, 'app.info')).toMatchObject({ result: { ok: true } })
    socket.close()
    await expect(ApiSocket.open(apiUrl(mode.server), { Host: host })).rejects.toThrow(/HTTP 401/)
  })
})

describe('friend CSV import over the socket', () => {
  const connection = { appId: '1', key: 'key', target: { kind: 'host', host: '127.0.0.1', port: 1, useTLS: false } }

  async function profileOver(client: ApiSocket): Promise<string> {
    const saved = await client.call(1, 'profiles.save', { name: 'friends', connection, secret: 'secret' })
    if (!('result' in saved) || !saved.result.ok) throw new Error(JSON.stringify(saved))
    return (saved.result.value as { id: string }).id
  }

  /** Every field quoted, as spreadsheets export: each row `"user000001","user000002"` and CRLF. */
  function quotedCsv(chars: number): string {
    const rows: string[] = []
    let length = 0
    for (let i = 0; length < chars - 30; i++) {
      const row = `"user${String(i).padStart(6, '0')}","user${String(i + 1).padStart(6, '0')}"\r\n`
      rows.push(row)
      length += row.length
    }
    return rows.join('')
  }

  it('imports a fully quoted file just under the cap, and other calls in flight are answered', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const id = await profileOver(client)
    const csv = quotedCsv(890_000)
    expect(csv.length).toBeGreaterThan(880_000)
    expect(csv.length).toBeLessThanOrEqual(MAX_FRIENDS_CSV_CHARS)
    const frame = JSON.stringify({ id: 2, method: 'friends.import', input: { id, csv, mutual: true } })
    expect(Buffer.byteLength(frame)).toBeGreaterThan(1024 * 1024) // over the old 1 MiB limit
    client.socket.send(frame)
    client.socket.send(JSON.stringify({ id: 3, method: 'settings.get' }))
    const imported = await client.next((reply) => 'id' in reply && reply.id === 2)
    const rows = csv.split('\r\n').length - 1
    expect(imported).toMatchObject({ result: { ok: true, value: { ok: true, users: rows + 1, edges: 2 * rows } } })
    expect(await client.next((reply) => 'id' in reply && reply.id === 3)).toMatchObject({ result: { ok: true } })
    client.close()
  }, 60_000)

  it('takes a file at the cap whatever its characters (each one escaped to six bytes in JSON)', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const id = await profileOver(client)
    const csv = '\u0001'.repeat(MAX_FRIENDS_CSV_CHARS)
    const reply = await client.call(2, 'friends.import', { id, csv, mutual: false })
    // The transport carried it; the engine read it and listed what is wrong with it, in words.
    expect(reply).toMatchObject({ result: { ok: true, value: { ok: false, errors: [{ line: 1 }] } } })
    client.close()
  }, 60_000)

  it('refuses a file over the cap in words, and the connection carries on', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const id = await profileOver(client)
    const reply = await client.call(2, 'friends.import', {
      id,
      csv: 'a,b\n'.repeat(MAX_FRIENDS_CSV_CHARS / 4) + 'x',
      mutual: true,
    })
    expect(reply).toMatchObject({
      result: {
        ok: false,
        error: {
          code: 'bad-request',
          message: expect.stringMatching(/The file has 921,601 characters; at most 921,600 \(900 KB\) can be imported/),
        },
      },
    })
    expect(await client.call(3, 'settings.get')).toMatchObject({ result: { ok: true } })
    client.close()
  }, 60_000)
})
