import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, freePort, openedPerTest } from './engine-harness.ts'

// Webhooks repeated, late, out of order or stamped by a clock running ahead make no ghosts: the
// engine's receiver against the emulator's own webhooks and validly signed batches posted by hand.

const opened = openedPerTest()

async function hybridEngine() {
  const webhookPort = await freePort()
  const emulator = await opened.emulator({
    vacateDelayMs: 0,
    webhookBatchMs: 20,
    webhooks: [`http://127.0.0.1:${webhookPort}/`],
  })
  const h = opened.harness()
  const profile = await h.handlers['profiles.save']({
    name: 'emulator',
    connection: emulatorConnection(emulator),
    secret: emulator.secret,
    sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'hybrid', webhookPort, reconcileIntervalSec: 3600 },
  })
  await h.handlers['connection.connect']({ id: profile.id })
  await h.until(
    () => h.handlers['status.get'](undefined),
    (status) => status.sync?.state === 'ok',
    'the first poll',
  )
  /** Posts a validly signed batch, as Pusher would. */
  const post = async (timeMs: number, events: { name: string; channel: string }[]) => {
    const body = JSON.stringify({ time_ms: timeMs, events })
    const response = await fetch(`http://127.0.0.1:${webhookPort}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Pusher-Key': emulator.key,
        'X-Pusher-Signature': createHmac('sha256', emulator.secret).update(body).digest('hex'),
      },
      body,
    })
    expect(response.status).toBe(200)
  }
  const total = async () => (await h.handlers['rooms.list'](undefined)).total
  return { h, emulator, post, total }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('webhooks that cannot be trusted as they come', () => {
  it(
    'a webhook stamped an hour ahead makes no ghost: the next poll after it corrects it',
    { timeout: 30_000 },
    async () => {
      const { h, post, total } = await hybridEngine()
      // Nobody is on this channel; a sender whose clock runs an hour ahead says somebody is.
      await post(Date.now() + 3_600_000, [{ name: 'channel_occupied', channel: 'private-lobby-ghost' }])
      await h.until(total, (count) => count === 1, 'the webhook applied')
      // Its time counts as at most 2 s from now: a poll after that is newer news and wins.
      await pause(2_500)
      h.engine.handlers['sync.now'](undefined)
      await h.until(total, (count) => count === 0, 'the ghost gone after the next poll')
    },
  )

  it('repeated, late and reordered webhooks leave the true state', { timeout: 30_000 }, async () => {
    const { h, emulator, post, total } = await hybridEngine()
    const joins = () => h.events('tick').reduce((sum, tick) => sum + tick.joins, 0)
    const socket = await h.join(emulator, 'private-lobby-ana')
    // Her tick itself, not only the state: ticks are published after they are stored, so counting the
    // joins from here on must not start before hers is out.
    await h.until(joins, (count) => count === 1, 'ana’s join from the emulator’s own webhook')
    expect(await total()).toBe(1)
    const ticks = h.events('tick').length

    // The receiver's count of batches reaches the status when a flush takes them for applying (its
    // events are applied before the next request is read): each batch below is applied before the next
    // one is sent, whenever the flush timer fires, rather than hoping a pause was long enough.
    const received = async () => (await h.handlers['status.get'](undefined)).sync?.webhook?.received ?? 0
    let sent = await received()
    const deliver = async (timeMs: number, events: { name: string; channel: string }[]) => {
      await post(timeMs, events)
      sent++
      await h.until(received, (count) => count >= sent, 'the batch taken by a flush')
    }

    // The same news again, twice: no second ana.
    const t0 = Date.now()
    await deliver(t0, [{ name: 'channel_occupied', channel: 'private-lobby-ana' }])
    await deliver(t0, [{ name: 'channel_occupied', channel: 'private-lobby-ana' }])
    expect(await total()).toBe(1)

    // ben comes and goes; the "came" arrives after the "went" was applied (reordered on the way, as
    // Pusher's retries of a refused batch may be): stale news, neither a ghost nor a join.
    await deliver(t0 + 200, [{ name: 'channel_vacated', channel: 'private-lobby-ben' }])
    await deliver(t0 + 100, [{ name: 'channel_occupied', channel: 'private-lobby-ben' }])
    expect(await total()).toBe(1)
    // Late news of ana leaving, from before she was last known present, does not remove her.
    await deliver(t0 - 60_000, [{ name: 'channel_vacated', channel: 'private-lobby-ana' }])
    expect(await total()).toBe(1)

    // And a poll agrees: nothing to correct. Its tick is published after every tick before it (they are
    // stored in order), so the joins counted then are all there are.
    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['status.get'](undefined),
      (status) => (status.sync?.drift?.checks ?? 0) >= 1,
      'the reconciling poll',
    )
    expect((await h.handlers['status.get'](undefined)).sync?.drift).toMatchObject({ last: 0 })
    expect(await total()).toBe(1)
    expect(
      h
        .events('tick')
        .slice(ticks)
        .reduce((sum, tick) => sum + tick.joins, 0),
    ).toBe(0)
    socket.disconnect()
    await h.until(total, (count) => count === 0, 'ana leaving, for real')
  })
})
