// Webhooks refused by a real `headcount serve` process: whatever arrives on the webhook port, the
// process keeps running and answering.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../src/shared/sync.ts'
import { freePort } from './engine/engine-harness.ts'
import { ApiSocket } from './helpers/web-mode.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')

let child: ChildProcess | null = null
let emulator: RunningEmulator | null = null
let dataDir: string | null = null
/** What serve wrote to stderr: shown when it died. */
const stderr: string[] = []
afterEach(async () => {
  child?.kill('SIGKILL')
  child = null
  await emulator?.close()
  emulator = null
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  dataDir = null
  stderr.length = 0
})

async function serve(url: string): Promise<{ process: ChildProcess; uiUrl: string; exited: Promise<number | null> }> {
  dataDir = mkdtempSync(join(tmpdir(), 'headcount-serve-webhooks-'))
  const started = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--url', url], {
    env: { ...process.env, HEADCOUNT_DATA: dataDir },
    stdio: 'pipe',
  })
  child = started
  started.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)))
  const lines = createInterface({ input: started.stdout as NodeJS.ReadableStream })
  for await (const line of lines) {
    const uiUrl = line.match(/^Headcount web UI: (http:\/\/127\.0\.0\.1:\d+)\/$/)?.[1]
    if (uiUrl) return { process: started, uiUrl, exited }
  }
  throw new Error('serve printed no URL')
}

async function call(api: ApiSocket, id: number, method: string, input?: unknown): Promise<unknown> {
  const reply = await api.call(id, method, input)
  if (!('result' in reply) || !reply.result.ok) throw new Error(`${method} failed: ${JSON.stringify(reply)}`)
  return reply.result.value
}

/** A serve process over the emulator, its API socket, and its webhook receiver listening. */
async function serveWithWebhooks(url: string) {
  const running = await serve(url)
  const api = await ApiSocket.open(`${running.uiUrl.replace('http', 'ws')}/api`)
  const [profile] = (await call(api, 1, 'profiles.list')) as Array<{ id: string }>
  const webhookPort = await freePort()
  await call(api, 2, 'sync.setOptions', {
    id: profile?.id,
    options: { ...DEFAULT_SYNC_OPTIONS, mode: 'webhook', webhookPort },
  })
  for (let attempt = 0; ; attempt++) {
    const status = (await call(api, 100 + attempt, 'status.get')) as { sync?: { webhook?: { listening?: boolean } } }
    if (status.sync?.webhook?.listening) break
    if (attempt > 200) throw new Error('the webhook receiver never listened')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { running, api, webhookPort }
}

describe('headcount serve receiving webhooks', () => {
  it('refuses unsigned and malformed webhooks with 401 and keeps running and answering', async () => {
    emulator = await startEmulator()
    emulator.injectMany([{ channel: 'private-lobby-ana' }])
    const { running, api, webhookPort } = await serveWithWebhooks(emulator.url)
    const webhooks = `http://127.0.0.1:${webhookPort}/`
    const body = JSON.stringify({
      time_ms: Date.now(),
      events: [{ name: 'channel_occupied', channel: 'private-lobby-ben' }],
    })
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(webhooks, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: payload })

    // The attack from the review: the app's public key, no signature.
    expect((await post({ 'X-Pusher-Key': emulator.key })).status).toBe(401)
    // And its neighbours: an empty signature, no key, a signed body that is JSON null.
    expect((await post({ 'X-Pusher-Key': emulator.key, 'X-Pusher-Signature': '' })).status).toBe(401)
    expect((await post({ 'X-Pusher-Signature': 'a'.repeat(64) })).status).toBe(401)
    const nullSignature = createHmac('sha256', emulator.secret).update('null').digest('hex')
    const signedNull = await post({ 'X-Pusher-Key': emulator.key, 'X-Pusher-Signature': nullSignature }, 'null')
    expect(signedNull.status).toBe(200)

    // Still running, and both ports answer.
    expect(running.process.exitCode, stderr.join('')).toBeNull()
    const signature = createHmac('sha256', emulator.secret).update(body).digest('hex')
    expect((await post({ 'X-Pusher-Key': emulator.key, 'X-Pusher-Signature': signature })).status).toBe(200)
    const ui = await fetch(`${running.uiUrl}/`)
    expect([200, 503]).toContain(ui.status) // 503 only when the UI has not been built
    for (let attempt = 0; ; attempt++) {
      const rooms = (await call(api, 500 + attempt, 'rooms.list')) as { total: number }
      if (rooms.total === 2) break
      if (attempt > 200) throw new Error(`the signed webhook was not applied: ${JSON.stringify(rooms)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const status = (await call(api, 900, 'status.get')) as { sync: { webhook: { rejected: number } } }
    expect(status.sync.webhook.rejected).toBe(3)

    api.close()
    running.process.kill('SIGTERM')
    expect(await running.exited).toBe(0)
  }, 60_000)

  it('answers a sender that never finishes (408, 413) and a body signed with the public key (401), and applies the next real webhook', async () => {
    emulator = await startEmulator()
    emulator.injectMany([{ channel: 'private-lobby-ana' }])
    const { running, api, webhookPort } = await serveWithWebhooks(emulator.url)
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Pusher-Key: ${emulator.key}\r\n`
    /** Raw bytes in, whatever serve answers until it closes the connection (or nothing after 30 s). */
    const exchange = (bytes: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(webhookPort, '127.0.0.1', () => socket.write(bytes))
        let answer = ''
        const patience = setTimeout(() => socket.destroy(), 30_000)
        socket.on('data', (data) => (answer += String(data)))
        socket.on('error', () => undefined)
        socket.on('close', () => {
          clearTimeout(patience)
          resolve(answer)
        })
      })
    const body = JSON.stringify({
      time_ms: Date.now(),
      events: [{ name: 'channel_occupied', channel: 'private-lobby-ben' }],
    })
    const signature = createHmac('sha256', emulator.secret).update(body).digest('hex')
    const [trickled, endless] = await Promise.all([
      // Headers complete, then one byte of the body and nothing more.
      exchange(`${head}X-Pusher-Signature: ${signature}\r\nContent-Length: ${body.length}\r\n\r\n{`),
      // A chunked body past the 1 MB limit that never ends.
      exchange(
        `${head}X-Pusher-Signature: ${signature}\r\nTransfer-Encoding: chunked\r\n\r\n${`10000\r\n${'x'.repeat(0x10000)}\r\n`.repeat(17)}`,
      ),
    ])
    expect(trickled).toMatch(/^HTTP\/1\.1 408 /)
    expect(endless).toMatch(/^HTTP\/1\.1 413 /)
    // Anyone can read the key from a web page; a body signed with it instead of the secret is refused.
    const withKey = createHmac('sha256', emulator.key).update(body).digest('hex')
    const post = (sig: string) =>
      fetch(`http://127.0.0.1:${webhookPort}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Pusher-Key': emulator?.key ?? '', 'X-Pusher-Signature': sig },
        body,
      })
    expect((await post(withKey)).status).toBe(401)
    expect((await call(api, 300, 'rooms.list')) as { total: number }).toMatchObject({ total: 1 })

    expect(running.process.exitCode, stderr.join('')).toBeNull()
    expect((await post(signature)).status).toBe(200)
    for (let attempt = 0; ; attempt++) {
      const rooms = (await call(api, 500 + attempt, 'rooms.list')) as { total: number }
      if (rooms.total === 2) break
      if (attempt > 200) throw new Error(`the signed webhook was not applied: ${JSON.stringify(rooms)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    api.close()
    running.process.kill('SIGTERM')
    expect(await running.exited).toBe(0)
  }, 90_000)
})
