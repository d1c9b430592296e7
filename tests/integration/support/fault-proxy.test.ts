// The fault proxy does what each mode says, so tests built on it fail for the reason they name.
import { createServer, get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import { FaultProxy } from './fault-proxy.ts'

const BODY = 'x'.repeat(1000)
let upstream: Server
let sockets: WebSocketServer
let proxy: FaultProxy

beforeEach(async () => {
  upstream = createServer((_request, response) =>
    response.writeHead(200, { 'Content-Type': 'text/plain', 'X-Upstream': 'yes' }).end(BODY),
  )
  sockets = new WebSocketServer({ server: upstream })
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)))
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  proxy = await new FaultProxy((upstream.address() as AddressInfo).port).start()
})

afterEach(async () => {
  await proxy.close()
  sockets.close()
  upstream.closeAllConnections()
  await new Promise((resolve) => upstream.close(resolve))
})

interface Received {
  status: number | null
  headers: IncomingMessage['headers']
  bytes: number
  /** How the answer ended: complete, or with an error (cut off). */
  ended: 'complete' | 'error'
}

/** A GET through the proxy that reports what arrived, however the answer ends (or after `giveUpMs`). */
function fetchRaw(path = '/', giveUpMs = 3000): Promise<Received | 'no answer' | 'held'> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port: proxy.port, path, agent: false }, (response) => {
      let bytes = 0
      const timer = setTimeout(() => {
        resolve('held')
        request.destroy()
      }, giveUpMs)
      const done = (ended: Received['ended']) => {
        clearTimeout(timer)
        resolve({ status: response.statusCode ?? null, headers: response.headers, bytes, ended })
      }
      response.on('data', (chunk: Buffer) => (bytes += chunk.length))
      response.on('end', () => done('complete'))
      response.on('error', () => done('error'))
      response.on('aborted', () => done('error'))
    })
    request.on('error', () => resolve('no answer'))
  })
}

describe('FaultProxy', () => {
  it('passes answers through when healthy', async () => {
    expect(await fetchRaw()).toMatchObject({
      status: 200,
      bytes: 1000,
      ended: 'complete',
      headers: { 'x-upstream': 'yes' },
    })
  })

  it('resets the connection', async () => {
    proxy.set('reset')
    expect(await fetchRaw()).toBe('no answer')
    expect(proxy.count('reset')).toBe(1)
  })

  it('truncates: the full Content-Length, half the body, then a close', async () => {
    proxy.set('truncate')
    const received = await fetchRaw()
    expect(received).toMatchObject({ status: 200, bytes: 500, ended: 'error', headers: { 'content-length': '1000' } })
  })

  it('stalls after the headers until the mode changes', async () => {
    proxy.set('stall')
    expect(await fetchRaw('/', 500)).toBe('held')
    const pending = fetchRaw('/', 5000)
    const heldSecond = () => proxy.count('stall') === 2 && proxy.holding === 1
    for (let i = 0; !heldSecond() && i < 300; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(heldSecond()).toBe(true)
    proxy.set('healthy')
    expect(await pending).toMatchObject({ bytes: 0, ended: 'error' })
    expect(await fetchRaw()).toMatchObject({ bytes: 1000, ended: 'complete' })
  })

  it('drips the body a few bytes at a time', async () => {
    proxy.set('drip', { dripBytes: 100, dripEveryMs: 20 })
    expect(await fetchRaw()).toMatchObject({ status: 200, bytes: 1000, ended: 'complete' })
    proxy.set('drip', { dripBytes: 1, dripEveryMs: 1000 })
    expect(await fetchRaw('/', 500)).toBe('held')
  })

  it.each([
    ['5xx', 503, /Service unavailable/],
    ['429', 429, /Too many requests/],
    ['error-200', 200, /"error":"Internal error \(fault proxy\)","code":500/],
  ] as const)('answers %s itself', async (mode, status, body) => {
    proxy.set(mode)
    const response = await fetch(`http://127.0.0.1:${proxy.port}/`)
    expect(response.status).toBe(status)
    expect(await response.text()).toMatch(body)
  })

  it('applies a fault only to the requests it matches', async () => {
    proxy.set('5xx', { match: ({ path }) => path === '/broken' })
    expect((await fetch(`http://127.0.0.1:${proxy.port}/broken`)).status).toBe(503)
    expect((await fetch(`http://127.0.0.1:${proxy.port}/fine`)).status).toBe(200)
  })

  it('pipes WebSocket upgrades through to the upstream', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/`)
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('hello'))
      socket.once('message', (data) => resolve(String(data)))
      socket.once('error', reject)
    })
    socket.close()
    expect(reply).toBe('echo hello')
  })
})
