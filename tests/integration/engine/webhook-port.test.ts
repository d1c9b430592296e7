// A webhook receiver that can't listen (its port held by another program) is an error in the status,
// in words, while polls at the poll interval keep the figures current; once the port is free the
// receiver starts by itself.
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import type { Status } from '../../../src/shared/status.ts'
import { DEFAULT_SYNC_OPTIONS, type SyncMode } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness, freePort } from './engine-harness.ts'

let emulator: RunningEmulator
let harness: EngineHarness
let blocker: Server | null = null
let port = 0

beforeEach(async () => {
  emulator = await startEmulator()
  emulator.injectMany([{ channel: 'private-lobby-ana' }, { channel: 'private-lobby-ben' }])
  harness = new EngineHarness()
  port = await freePort()
  blocker = createServer()
  await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve))
})

afterEach(async () => {
  await harness.close()
  await emulator.close()
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)))
  blocker = null
})

const status = () => harness.handlers['status.get'](undefined) as Status

async function postWebhook(events: Array<{ name: string; channel: string }>): Promise<number> {
  const body = JSON.stringify({
    time_ms: Date.now(),
    events: events.map((event) => ({ ...event, time_ms: Date.now() })),
  })
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Pusher-Key': emulator.key,
      'X-Pusher-Signature': createHmac('sha256', emulator.secret).update(body).digest('hex'),
    },
    body,
  })
  return response.status
}

describe('a webhook port already in use', () => {
  it.each<SyncMode>(['webhook', 'hybrid'])(
    '%s mode: an error naming the address, polling instead, and the receiver once the port frees',
    async (mode) => {
      // Polls every second, so a frozen sync shows within the wait below.
      const profile = await harness.handlers['profiles.save']({
        name: 'emulator',
        connection: emulatorConnection(emulator),
        secret: emulator.secret,
        sync: { ...DEFAULT_SYNC_OPTIONS, mode, webhookPort: port, pollIntervalSec: 1, reconcileIntervalSec: 3600 },
      })
      await harness.handlers['connection.connect']({ id: profile.id })

      const down = await harness.until(
        status,
        (s) => s.sync?.state === 'ok' && s.sync.webhook?.error != null,
        'the receiver error',
      )
      expect(down.connection).toBe('error')
      expect(down.sync?.webhook).toMatchObject({ listening: false, address: null })
      expect(down.sync?.webhook?.error).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`))
      expect(down.sync?.webhook?.error).toMatch(/Polling every 1 s instead/)
      expect(down.message).toMatch(/^Webhooks are not received: /)
      expect(down.message).toContain(`127.0.0.1:${port} is already in use`)
      expect(down.message).toContain('2 people in 1 rooms')

      // Polls stand in for the webhooks: a newcomer is seen without any webhook.
      emulator.inject('private-lobby-cy')
      const polled = await harness.until(
        status,
        (s) => s.sync?.participants === 3,
        'the newcomer seen by a fallback poll',
        15_000,
      )
      expect(polled.sync?.webhook?.error).toMatch(/already in use/)
      expect(polled.connection).toBe('error')
      // Polls standing in for webhooks are not reconciliations: no drift is counted.
      if (mode === 'hybrid') expect(polled.sync?.drift).toMatchObject({ checks: 0, total: 0 })

      // The port frees: the receiver starts by itself and the error clears. Someone joins meanwhile.
      emulator.inject('private-lobby-eve')
      await new Promise((resolve) => blocker?.close(resolve))
      blocker = null
      const up = await harness.until(
        status,
        (s) => s.sync?.webhook?.listening === true,
        'the receiver listening',
        15_000,
      )
      expect(up.sync?.webhook).toMatchObject({ error: null, address: `127.0.0.1:${port}` })
      await harness.until(status, (s) => s.connection === 'connected', 'connected again')
      expect(await postWebhook([{ name: 'channel_occupied', channel: 'private-lobby-dee' }])).toBe(200)
      const applied = await harness.until(status, (s) => s.sync?.participants === 5, 'a webhook applied')
      // The poll that took over from the fallback (which found eve) is a new starting point, not drift.
      if (mode === 'hybrid') expect(applied.sync?.drift).toMatchObject({ total: 0 })
    },
    60_000,
  )
})
