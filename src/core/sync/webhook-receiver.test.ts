import { createHmac } from 'node:crypto'
import Pusher from 'pusher'
import { afterEach, describe, expect, it } from 'vitest'
import {
  isSignedWebhook,
  receiverStartProblem,
  WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhook-receiver.ts'

const sdk = new Pusher({ appId: '1', key: 'key', secret: 'secret', host: '127.0.0.1' })
const BODY = JSON.stringify({ time_ms: 5, events: [{ name: 'channel_occupied', channel: 'private-a-b' }] })
const sign = (body: string, secret = 'secret') => createHmac('sha256', secret).update(body).digest('hex')

describe('isSignedWebhook', () => {
  it('accepts a body signed with the key and secret, as the SDK does', () => {
    const headers = { 'content-type': 'application/json', 'x-pusher-key': 'key', 'x-pusher-signature': sign(BODY) }
    expect(isSignedWebhook(sdk, headers, BODY)).toBe(true)
  })

  it('answers false, never throws, for a missing, empty or repeated signature, key or content type', () => {
    const good = { 'content-type': 'application/json', 'x-pusher-key': 'key', 'x-pusher-signature': sign(BODY) }
    // The SDK itself throws on the first (it reads the signature's length).
    expect(() =>
      sdk.webhook({ headers: { ...good, 'x-pusher-signature': undefined as never }, rawBody: BODY }).isValid(),
    ).toThrow()
    for (const headers of [
      { ...good, 'x-pusher-signature': undefined },
      { ...good, 'x-pusher-signature': '' },
      { ...good, 'x-pusher-signature': [sign(BODY), sign(BODY)] },
      { ...good, 'x-pusher-key': undefined },
      { ...good, 'x-pusher-key': 'other' },
      { ...good, 'content-type': undefined },
      { ...good, 'content-type': 'text/plain' },
      { ...good, 'x-pusher-signature': sign(BODY, 'wrong') },
    ]) {
      expect(isSignedWebhook(sdk, headers, BODY)).toBe(false)
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
      verify: (headers, body) => isSignedWebhook(sdk, headers, body),
      onEvents: (events) => (seen.events += events.length),
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

  it('keeps an exception from handing the events on inside the handler', async () => {
    const { seen, post } = await start({
      onEvents: () => {
        throw new Error('applying failed')
      },
    })
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign(BODY) })).status).toBe(200)
    expect(seen.errors).toEqual([expect.objectContaining({ message: 'applying failed' })])
    // A signed body that is JSON but not an object is accepted and carries no events.
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign('null') }, 'null')).status).toBe(200)
    expect((await post({ 'X-Pusher-Key': 'key', 'X-Pusher-Signature': sign('[1]') }, '[1]')).status).toBe(200)
  })
})
