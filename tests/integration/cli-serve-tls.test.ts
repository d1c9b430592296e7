import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { makeSelfSignedCertificate, type TestCertificate } from '../support/certificates.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')
const TOKEN = 'team-token-for-the-tls-test'
const children: ChildProcess[] = []
const dirs: string[] = []
let certificate: TestCertificate
let stranger: TestCertificate

beforeAll(async () => {
  certificate = await makeSelfSignedCertificate()
  stranger = await makeSelfSignedCertificate()
})
afterAll(() => {
  certificate.remove()
  stranger.remove()
})
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function serve(args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-tls-cli-'))
  dirs.push(dataDir)
  const env: NodeJS.ProcessEnv = { ...process.env, HEADCOUNT_DATA: dataDir }
  delete env.HEADCOUNT_TOKEN
  const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', ...args], { env, stdio: 'pipe' })
  children.push(child)
  const stderr: string[] = []
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  return { child, stderr }
}

async function readLines(child: ChildProcess, count: number): Promise<string[]> {
  const lines: string[] = []
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    lines.push(line)
    if (lines.length === count) break
  }
  return lines
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A GET over HTTPS that trusts only the test's certificate (Node's own verification, host name included). */
function getOverTls(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(url, { ca: certificate.cert, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  const socket = new WebSocket(url, { ca: certificate.cert, headers })
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
    socket.once('unexpected-response', (_request, response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => reject(new Error(`HTTP ${response.statusCode}: ${body}`)))
    })
  })
}

async function callOnce(socket: WebSocket, method: string): Promise<unknown> {
  const reply = once(socket, 'message')
  socket.send(JSON.stringify({ id: 1, method }))
  const [data] = await reply
  return JSON.parse(String(data))
}

describe('headcount serve --tls-cert --tls-key', () => {
  it('serves the page, the API socket and its token checks over HTTPS only, and prints the fingerprint', async () => {
    const { child } = serve(['--token', TOKEN, '--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile])
    const [urlLine, fingerprintLine] = await readLines(child, 2)
    const url = urlLine?.match(/^Headcount web UI: (https:\/\/127\.0\.0\.1:(\d+)\/)\?token=(.+)$/)
    expect(url, urlLine).not.toBeNull()
    const [, base, port, printedToken] = url as RegExpMatchArray
    expect(printedToken).toBe(TOKEN)
    expect(fingerprintLine).toBe(`TLS certificate SHA-256 fingerprint: ${certificate.fingerprint}`)

    // The page: the token remembered in a cookie that only travels over TLS.
    const page = await getOverTls(`${base}?token=${TOKEN}`, { Accept: 'text/html' })
    expect(page.status).toBe(200)
    expect(String(page.headers['set-cookie'])).toMatch(
      /^headcount_token=.*; HttpOnly; SameSite=Strict; Path=\/; Secure$/,
    )
    // Without it, and with a wrong one, the refusal is in words, for a person and for a script.
    const missing = await getOverTls(base as string, { Accept: 'text/html' })
    expect(missing.status).toBe(401)
    expect(missing.body).toContain('<h1>This Headcount server needs an access token</h1>')
    const wrong = await getOverTls(`${base}?token=not-the-token`, { Accept: 'text/html' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toContain('<h1>The server refused the access token</h1>')
    expect(wrong.body).not.toContain(TOKEN)
    const probe = await getOverTls(`${base}api/access`, { Cookie: 'headcount_token=stale' })
    expect(probe.status).toBe(401)
    expect(probe.body).toMatch(/^The server refused the access token: /)
    expect((await getOverTls(`${base}api/access`, { Cookie: `headcount_token=${TOKEN}` })).status).toBe(204)

    // The API socket as wss, with the token as a bearer token; any Host is fine when a token guards it.
    const api = `wss://127.0.0.1:${port}/api`
    const socket = await openSocket(api, { Authorization: `Bearer ${TOKEN}`, Host: `headcount.example:${port}` })
    expect(await callOnce(socket, 'app.info')).toMatchObject({ id: 1, result: { ok: true, value: { runtime: 'web' } } })
    socket.close()
    await expect(openSocket(api, { Authorization: 'Bearer not-the-token' })).rejects.toThrow(
      /^HTTP 401: The server refused the access token/,
    )
    await expect(openSocket(api, {})).rejects.toThrow(/^HTTP 401: This Headcount server needs an access token/)

    // Nothing is served in clear on that port.
    const plain = await new Promise<string>((resolve) => {
      const outgoing = httpRequest(`http://127.0.0.1:${port}/?token=${TOKEN}`, (response) =>
        resolve(`HTTP ${response.statusCode}`),
      )
      outgoing.on('error', (error) => resolve(error.message))
      outgoing.end()
    })
    expect(plain).not.toMatch(/^HTTP 200/)

    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })

  it('serves over TLS on loopback without a token, keeping the Host check', async () => {
    const { child } = serve(['--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile])
    const [urlLine] = await readLines(child, 1)
    const port = urlLine?.match(/^Headcount web UI: https:\/\/127\.0\.0\.1:(\d+)\/$/)?.[1]
    expect(port, urlLine).toBeDefined()
    const own = await openSocket(`wss://localhost:${port}/api`, { Origin: `https://localhost:${port}` })
    own.close()
    const evil = `evil.example:${port}`
    await expect(openSocket(`wss://127.0.0.1:${port}/api`, { Host: evil, Origin: `https://${evil}` })).rejects.toThrow(
      /^HTTP 421/,
    )
    await expect(openSocket(`wss://127.0.0.1:${port}/api`, { Origin: `http://localhost:${port}` })).rejects.toThrow(
      /^HTTP 403/,
    )
    child.kill('SIGTERM')
    await once(child, 'exit')
  })

  it('refuses one flag without the other as bad usage', async () => {
    for (const args of [
      ['--tls-cert', certificate.certFile],
      ['--tls-key', certificate.keyFile],
    ]) {
      const { child, stderr } = serve(args)
      const [code] = await once(child, 'exit')
      expect(code).toBe(2)
      expect(stderr.join('')).toMatch(
        /^headcount serve: --tls-(cert|key) needs --tls-(key|cert): .*\(see headcount serve --help\)\n$/,
      )
    }
  })

  it('refuses a key that is not the certificate’s, or a file it cannot read, in one line with exit 1', async () => {
    const cases: [string[], string][] = [
      [
        ['--tls-cert', certificate.certFile, '--tls-key', stranger.keyFile],
        `headcount serve: The TLS key ${stranger.keyFile} does not belong to the certificate ${certificate.certFile}\n`,
      ],
      [
        ['--tls-cert', '/nonexistent/server.crt', '--tls-key', certificate.keyFile],
        'headcount serve: Cannot read the TLS certificate /nonexistent/server.crt: no such file\n',
      ],
      [
        ['--tls-cert', certificate.keyFile, '--tls-key', certificate.certFile],
        `headcount serve: The TLS certificate ${certificate.keyFile} is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")\n`,
      ],
    ]
    for (const [args, message] of cases) {
      const { child, stderr } = serve(args)
      const [code] = await once(child, 'exit')
      expect(code).toBe(1)
      expect(stderr.join('')).toBe(message)
    }
  })
})
