import { createHmac } from 'node:crypto'
import Pusher from 'pusher'
import { afterEach, describe, expect, it } from 'vitest'
import { Buffer } from 'node:buffer'
import { connect, type Socket } from 'node:net'
import {
  receiverStartProblem,
  webhookVerifier,
  WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhook-receiver.ts'

const sdk = new Pusher({ appId: '1', key: 'key', secret: 'secret', host: '127.0.0.1' })
const BODY = JSON.stringify({ time_ms: 5, events: [{ name: 'channel_occupied', channel: 'private-a-b' }] })
const sign = (body: string, secret = 'secret') => createHmac('sha256', secret).update(body).digest('hex')

const verify = webhookVerifier({ key: 'key', secret: 'secret' })

/** The SDK's own verdict, for the headers it can take without throwing. */
function sdkVerdict(headers: Record<string, string | string[] | undefined>, body: string): boolean {
  try {
    return sdk.webhook({ headers: headers as Record<string, string>, rawBody: body }).isValid() === true
  } catch {
    return false
  }
}

describe('webhookVerifier', () => {
  it('accepts a body signed with the key and secret, as the SDK does', () => {
    const headers = { 'content-type': 'application/json', 'x-pusher-key': 'key', 'x-pusher-signature': sign(BODY) }
    expect(verify(headers, Buffer.from(BODY))).toBe(true)
    expect(sdkVerdict(headers, BODY)).toBe(true)
    // The signature's hex digits in either case, as the SDK's string comparison would not.
    expect(verify({ ...headers, 'x-pusher-signature': sign(BODY).toUpperCase() }, Buffer.from(BODY))).toBe(true)
  })

  it('checks the bytes as they arrived: any change to the body, even one JSON would not see, is refused', () => {
    const headers = { 'content-type': 'application/json', 'x-pusher-key': 'key', 'x-pusher-signature': sign(BODY) }
    expect(verify(headers, Buffer.from(`${BODY} `))).toBe(false)
    const accented = '{"time_ms":5,"events":[{"name":"channel_occupied","channel":"private-é-b"}]}'
    const signed = { ...headers, 'x-pusher-signature': sign(accented) }
    expect(verify(signed, Buffer.from(accented, 'utf8'))).toBe(true)
    expect(verify(signed, Buffer.from(accented, 'latin1'))).toBe(false)
  })

  it('answers false, never throws, for a missing, empty or repeated signature, key or content type, as the SDK would', () => {
    const good = { 'content-type': 'application/json', 'x-pusher-key': 'key', 'x-pusher-signature': sign(BODY) }
    // The SDK itself throws on the first (it reads the signature's length).
    expect(() =>
      sdk.webhook({ headers: { ...good, 'x-pusher-signature': undefined as never }, rawBody: BODY }).isValid(),
    ).toThrow()
    for (const headers of [
      { ...good, 'x-pusher-signature': undefined },
      { ...good, 'x-pusher-signature': '' },
      { ...good, 'x-pusher-signature': [sign(BODY), sign(BODY)] },
      { ...good, 'x-pusher-signature': sign(BODY).slice(0, 63) },
      { ...good, 'x-pusher-signature': `${sign(BODY)}00` },
      { ...good, 'x-pusher-signature': 'z'.repeat(64) },
      { ...good, 'x-pusher-key': undefined },
      { ...good, 'x-pusher-key': 'other' },
      { ...good, 'x-pusher-key': ['key', 'key'] },
      { ...good, 'content-type': undefined },
      { ...good, 'content-type': 'text/plain' },
      { ...good, 'x-pusher-signature': sign(BODY, 'wrong') },
    ]) {
      expect(verify(headers, Buffer.from(BODY))).toBe(false)
      expect(sdkVerdict(headers, BODY)).toBe(false)
    }
  })
})

describe('receiverStartProblem', () => {
  it('names the address and says what is wrong', () => {
    const error = (code: string) => Object.assign(new Error(code), { code })
    expect(receiverStartProblem(error('EADDRINUSE'), '127.0.0.1', 7481)).toMatch(/^127\.0\.0\.1:7481 is already in use/)
    expect(receiverStartProblem(error('EADDRINUSE'), '::1', 7481)).toMatch(/^\[::1\]:7481 is already in use/)
    expect(receiverStartProblem(error('EACCES'), '0.0.0.0', 80)).toMatch(/may not listen on 0\.0\.0\.0:80/)
    expect(receiverStartProblem(error('EADDRNOTAVAIL'), '10.9.9.9', 7481)).toMatch(/10\.9\.9\.9 is not an address/)
  })
})

describe('WebhookReceiver', () => {
  let receiver: WebhookReceiver | null = null
  afterEach(async () => {
    await receiver?.stop()
    receiver = null
  })

  async function start(overrides: Partial<WebhookReceiverOptions>) {
    const seen = { events: 0, rejected: [] as string[], errors: [] as unknown[] }
    receiver = new WebhookReceiver({
      host: '127.0.0.1',
      port: 0,
      verify,
      onEvents: (events) => {
        seen.events += events.length
      },
      onRejected: (reason) => seen.rejected.push(reason),
      onError: (error) => seen.errors.push(error),
      ...overrides,
    })
    await receiver.start()
    const post = (headers: Record<string, string>, body = BODY) =>
      fetch(`http://127.0.0.1:${receiver?.port}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      })
    return { seen, post }
  }

  it('refuses a webhook without a signature with 401 before verifying it', async () => {
    let verified = 0
    const { seen, post } = await start({
      verify: () => {
        verified++
        return true
      },
    })
    expect((await post({ 'X-Pusher-Key': 'key' })).status).toBe(401)
    expect((await post({ 'X-Pusher-Signature': sign(BODY) })).status).toBe(401)
    expect(verified).toBe(0)
    expect(seen.rejected).toEqual(['Missing webhook key or signature', 'Missing webhook key or signature'])
    expect(seen.events).toBe(0)
  })

  it('treats a verify that throws as a bad signature, and keeps answering', async () => {
    const { seen, post } = await start({
      verify: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'length')")
      },
    })
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(401)
    expect(seen.errors).toHaveLength(1)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(401)
  })

  it('keeps an exception from handing the events on inside the handler, and does not claim them accepted', async () => {
    const { seen, post } = await start({
      onEvents: () => {
        throw new Error('applying failed')
      },
    })
    // Not queued, so not 200: Pusher sends it again.
    const failed = await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })
    expect(failed.status).toBe(500)
    expect(await failed.text()).toBe('The webhook could not be handled')
    expect(seen.errors).toEqual([expect.objectContaining({ message: 'applying failed' })])
    // A signed body that is JSON but not an object is accepted and carries no events.
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign('null') }, 'null')).status).toBe(200)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign('[1]') }, '[1]')).status).toBe(200)
  })

  it('answers 503 with Retry-After, not 200, when the events cannot be queued now', async () => {
    let room = true
    const { seen, post } = await start({
      retryAfterSec: 2,
      onEvents: (events) => {
        if (!room) return false
        seen.events += events.length
        return true
      },
    })
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
    room = false
    const refused = await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('2')
    expect(await refused.text()).toMatch(/waiting to be applied; send this batch again later/)
    expect(seen.events).toBe(1)
    // A 503 is no bad signature: not counted as rejected.
    expect(seen.rejected).toEqual([])
  })

  it('refuses a signed body that is not JSON with 400, in words', async () => {
    const { seen, post } = await start({})
    const response = await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign('{"events":') }, '{"events":')
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('The webhook body is not JSON')
    expect(seen.rejected).toEqual(['The webhook body is not JSON'])
    expect(seen.events).toBe(0)
  })

  it('hands on only well-formed channel events, each with the batch time unless it has its own', async () => {
    const got: unknown[] = []
    const { post } = await start({
      onEvents: (events) => {
        got.push(...events)
      },
    })
    const body = JSON.stringify({
      time_ms: 7,
      events: [
        { name: 'channel_occupied', channel: 'private-a-b' },
        { name: 'channel_vacated', channel: 'private-a-c', time_ms: 9 },
        { name: 'channel_occupied' },
        'nonsense',
        null,
      ],
    })
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(body) }, body)).status).toBe(200)
    expect(got).toEqual([
      { name: 'channel_occupied', channel: 'private-a-b', time_ms: 7 },
      { name: 'channel_vacated', channel: 'private-a-c', time_ms: 9 },
    ])
  })

  /**
   * Writes raw bytes to the receiver and collects what it answers until it closes the connection, or
   * until `patienceMs` pass (then `closed` is false): a sender that never finishes must be answered.
   */
  function rawExchange(
    write: (socket: Socket) => void,
    patienceMs = 20_000,
  ): Promise<{ answer: string; closed: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(receiver?.port ?? 0, '127.0.0.1')
      let answer = ''
      const timer = setTimeout(() => {
        socket.destroy()
        resolve({ answer, closed: false })
      }, patienceMs)
      socket.on('data', (data) => (answer += data.toString('latin1')))
      socket.on('error', () => undefined)
      socket.on('close', () => {
        clearTimeout(timer)
        resolve({ answer, closed: true })
      })
      socket.on('connect', () => write(socket))
    })
  }
  const HEAD = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Pusher-Key: key\r\n'

  it('answers 413 as soon as a body passes the limit, without waiting for an end that never comes', async () => {
    const { seen, post } = await start({ maxBodyBytes: 1024 })
    const exchange = await rawExchange((socket) => {
      socket.write(`${HEAD}X-Pusher-Signature: ${'0'.repeat(64)}\r\nTransfer-Encoding: chunked\r\n\r\n`)
      // Chunk after chunk past the limit, and never the last (empty) chunk.
      for (let i = 0; i < 4; i++) socket.write(`400\r\n${'x'.repeat(1024)}\r\n`)
    })
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(exchange.closed).toBe(true)
    expect(seen.events).toBe(0)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
  }, 60_000)

  it('answers 413 at once to a body whose declared length is over the limit', async () => {
    await start({ maxBodyBytes: 1024 })
    const exchange = await rawExchange((socket) => {
      socket.write(`${HEAD}X-Pusher-Signature: ${'0'.repeat(64)}\r\nContent-Length: 100000000\r\n\r\n{`)
    })
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(exchange.closed).toBe(true)
  }, 60_000)

  it('answers 408 to a sender that trickles its headers or its body, and keeps answering others', async () => {
    const { seen, post } = await start({ requestTimeoutMs: 1000 })
    const [headers, body] = await Promise.all([
      rawExchange((socket) => socket.write(HEAD)),
      rawExchange((socket) =>
        socket.write(`${HEAD}X-Pusher-Signature: ${sign(BODY)}\r\nContent-Length: ${BODY.length}\r\n\r\n{`),
      ),
    ])
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(body.answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(headers.closed && body.closed).toBe(true)
    expect(seen.events).toBe(0)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
  }, 60_000)

  it('closes a connection that never sends a request', async () => {
    await start({ requestTimeoutMs: 1000 })
    const exchange = await rawExchange(() => undefined)
    expect(exchange.closed).toBe(true)
  }, 60_000)

  it('keeps an idle keep-alive connection open past the request deadline, for the sender to reuse', async () => {
    const { seen } = await start({ requestTimeoutMs: 500 })
    const request = `${HEAD}X-Pusher-Signature: ${sign(BODY)}\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`
    const exchange = await rawExchange((socket) => {
      socket.write(request)
      // Idle well past the deadline (Node checks it every 500 ms here), then the same connection again.
      setTimeout(() => socket.end(request), 2500)
    })
    expect(exchange.answer.match(/HTTP\/1\.1 200 /g)).toHaveLength(2)
    expect(seen.events).toBe(2)
  }, 60_000)

  it('answers 503 to a body that would take the bytes held for unfinished requests past their limit', async () => {
    const { seen, post } = await start({ maxBodyBytes: 1000, maxPendingBytes: 1500, requestTimeoutMs: 2000 })
    const partial = `${HEAD}X-Pusher-Signature: ${sign(BODY)}\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(900)}`
    // Two senders each hold 900 bytes of a body they never finish: whichever comes second passes the
    // limit of all held and is refused at once; the other is held until its deadline.
    const answers = await Promise.all([
      rawExchange((socket) => socket.write(partial)),
      rawExchange((socket) => socket.write(partial)),
    ])
    const statuses = answers.map(({ answer }) => /^HTTP\/1\.1 (\d+) /.exec(answer)?.[1]).sort()
    expect(statuses).toEqual(['408', '503'])
    expect(answers.find(({ answer }) => answer.includes(' 503 '))?.answer).toMatch(/Retry-After: 1/i)
    // Once both let go, what they held is free again.
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
    expect(seen.events).toBe(1)
  }, 60_000)

  it('frees what each finished request held: a long run of webhooks within the limit is never refused', async () => {
    const { seen, post } = await start({ maxPendingBytes: BODY.length + 1 })
    for (let i = 0; i < 50; i++) {
      expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
    }
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': 'f'.repeat(64) })).status).toBe(401)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
    expect(seen.events).toBe(51)
  })
})
