import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import type { NamingConvention } from '../../../src/shared/naming.ts'
import type { RoomsSnapshot } from '../../../src/shared/presence.ts'
import { DEFAULT_SYNC_OPTIONS, type SyncOptions } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness, freePort, openedPerTest } from './engine-harness.ts'

const WITH_GROUPS: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }

const opened = openedPerTest()

async function connectEngine(emulator: RunningEmulator, sync: Partial<SyncOptions>) {
  const harness = opened.harness()
  const profile = await harness.handlers['profiles.save']({
    name: 'emulator',
    connection: emulatorConnection(emulator),
    secret: emulator.secret,
    convention: WITH_GROUPS,
    sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1, ...sync },
  })
  expect(profile.hasSecret).toBe(true)
  expect(profile).not.toHaveProperty('secret')
  await harness.handlers['connection.connect']({ id: profile.id })
  return { harness, profile }
}

const summary = (snapshot: RoomsSnapshot) =>
  Object.fromEntries(snapshot.rooms.map((room) => [room.room, { count: room.count, groups: room.groups }]))

/** Three rooms, two groups, a user on two devices and the room's broadcast channel (not a person). */
async function seatCrowd(h: EngineHarness, target: RunningEmulator) {
  const sockets = {
    ana: await h.join(target, 'private-lobby-red-ana'),
    ben: await h.join(target, 'private-lobby-red-ben'),
    cy: await h.join(target, 'private-lobby-blue-cy'),
    anaPhone: await h.join(target, 'private-lobby-red-ana'),
    dee: await h.join(target, 'private-stage-blue-dee'),
    eli: await h.join(target, 'private-attic-red-eli'),
    broadcast: await h.join(target, 'private-lobby'),
  }
  return sockets
}

const EXPECTED = {
  lobby: { count: 3, groups: { red: 2, blue: 1 } },
  stage: { count: 1, groups: { blue: 1 } },
  attic: { count: 1, groups: { red: 1 } },
}

describe('the engine against the emulator with real pusher-js participants', () => {
  it('polling: counts people per room and group exactly, finds joins and leaves, and keeps history', async () => {
    const emulator = await opened.emulator({ vacateDelayMs: 50 })
    const { harness: h } = await connectEngine(emulator, { mode: 'poll' })
    const sockets = await seatCrowd(h, emulator)
    h.engine.handlers['sync.now'](undefined)
    const snapshot = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 5,
      'five people',
    )
    expect(summary(snapshot)).toEqual(EXPECTED)
    expect(snapshot).toMatchObject({ channels: 6, unmatched: 1 })

    const joined = h
      .events('tick')
      .flatMap((tick) => tick.recent.filter((event) => event.type === 'join').map((event) => event.user))
    expect(joined.sort()).toEqual(['ana', 'ben', 'cy', 'dee', 'eli'])

    sockets.ben.disconnect()
    sockets.anaPhone.disconnect() // ana is still here on her laptop
    h.engine.handlers['sync.now'](undefined)
    const after = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 4,
      'ben gone',
    )
    expect(summary(after).lobby).toEqual({ count: 2, groups: { red: 1, blue: 1 } })
    const left = h.events('tick').flatMap((tick) => tick.recent.filter((event) => event.type === 'leave'))
    expect(left.map((event) => `${event.room}/${event.group}/${event.user}`)).toEqual(['lobby/red/ben'])

    const detail = await h.handlers['room.detail']({ room: 'lobby', search: 'A', offset: 0, limit: 10 })
    expect(detail.participants.map((p) => p.user)).toEqual(['ana'])
    expect(detail.summary?.count).toBe(2)

    const now = Date.now()
    const series = await h.handlers['history.series']({
      rooms: ['lobby'],
      from: now - 60_000,
      to: now + 1000,
      points: 100,
      includeTotal: true,
    })
    const lobby = series.find((s) => s.room === 'lobby')
    const values = lobby?.points.map((point) => point.value).filter((value) => value !== null)
    expect(values).toContain(3)
    expect(values?.at(-1)).toBe(2)

    const status = await h.handlers['status.get'](undefined)
    expect(status).toMatchObject({
      connection: 'connected',
      profile: 'emulator',
      sync: { mode: 'poll', state: 'ok', participants: 4, rooms: 3, unmatched: 1 },
    })
    expect(status.sync?.latencyMs).toBeGreaterThanOrEqual(0)
    expect(status.sync?.responseBytes).toBeGreaterThan(50)
  })

  it('webhooks: an initial poll, then joins and leaves from signed webhooks; a bad signature changes nothing', async () => {
    const webhookPort = await freePort()
    const emulator = await opened.emulator({
      vacateDelayMs: 50,
      webhookBatchMs: 20,
      webhooks: [`http://127.0.0.1:${webhookPort}/`],
    })
    const early = await new EngineHarness().join(emulator, 'private-lobby-red-early')
    const { harness: h } = await connectEngine(emulator, { mode: 'webhook', webhookPort })
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 1,
      'the initial snapshot',
    )

    const sockets = await seatCrowd(h, emulator)
    const snapshot = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 6 && s.unmatched === 1,
      'webhook joins',
    )
    expect(summary(snapshot).lobby).toEqual({ count: 4, groups: { red: 3, blue: 1 } })
    // The room's broadcast channel is counted as unmatched, as a poll counts it, never as a person.
    expect(snapshot).toMatchObject({ channels: 7, unmatched: 1 })
    expect((await h.handlers['status.get'](undefined)).sync).toMatchObject({ channels: 7, unmatched: 1 })
    sockets.broadcast.disconnect()
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.unmatched === 0 && s.channels === 6,
      'the broadcast channel vacated',
    )
    expect(h.events('tick').some((tick) => tick.source === 'webhook' && tick.joins > 0)).toBe(true)

    sockets.dee.disconnect()
    const after = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 5,
      'a webhook leave',
    )
    expect(summary(after).stage).toBeUndefined()

    // A forged webhook (wrong secret) is refused with 401 and changes nothing.
    const body = JSON.stringify({
      time_ms: Date.now(),
      events: [{ name: 'channel_vacated', channel: 'private-lobby-red-ana' }],
    })
    const response = await fetch(`http://127.0.0.1:${webhookPort}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Pusher-Key': emulator.key,
        'X-Pusher-Signature': createHmac('sha256', 'wrong').update(body).digest('hex'),
      },
      body,
    })
    expect(response.status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect((await h.handlers['rooms.list'](undefined)).total).toBe(5)
    const status = await h.handlers['status.get'](undefined)
    expect(status.sync?.webhook).toMatchObject({ listening: true, rejected: 1 })
    early.disconnect()
    await h.close()
  })

  it('hybrid: webhooks keep it current and a reconciling poll finds and counts what they missed', async () => {
    const webhookPort = await freePort()
    const emulator = await opened.emulator({
      vacateDelayMs: 50,
      webhookBatchMs: 20,
      webhooks: [`http://127.0.0.1:${webhookPort}/`],
    })
    const { harness: h } = await connectEngine(emulator, { mode: 'hybrid', webhookPort, reconcileIntervalSec: 3600 })
    await h.until(
      () => h.handlers['status.get'](undefined),
      (s) => s.sync?.state === 'ok',
      'the first poll',
    )
    await seatCrowd(h, emulator)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 5,
      'webhook joins',
    )

    // A webhook that lies (validly signed: as if Pusher's vacate had crossed a rejoin): ana "left".
    const body = JSON.stringify({
      time_ms: Date.now(),
      events: [{ name: 'channel_vacated', channel: 'private-lobby-red-ana' }],
    })
    const signature = createHmac('sha256', emulator.secret).update(body).digest('hex')
    const response = await fetch(`http://127.0.0.1:${webhookPort}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Pusher-Key': emulator.key, 'X-Pusher-Signature': signature },
      body,
    })
    expect(response.status).toBe(200)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 4,
      'the bogus leave',
    )

    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 5,
      'the reconcile',
    )
    const status = await h.handlers['status.get'](undefined)
    expect(status.sync?.drift).toMatchObject({ last: 1, total: 1, checks: 1 })
    expect(h.events('tick').some((tick) => tick.source === 'reconcile' && tick.drift === 1)).toBe(true)
  })

  it('numbers the ticks of each reading, says in a snapshot which it holds, and begins another on connecting again', async () => {
    const emulator = await opened.emulator({ vacateDelayMs: 50 })
    const { harness: h, profile } = await connectEngine(emulator, { mode: 'poll' })
    const sockets = await seatCrowd(h, emulator)
    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 5,
      'five people',
    )
    sockets.dee.disconnect()
    h.engine.handlers['sync.now'](undefined)
    const snapshot = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (s) => s.total === 4,
      'dee gone',
    )
    // The tick the snapshot holds may still be on its way (it is stored first): wait for it.
    await h.until(
      async () => h.events('tick').at(-1)?.seq ?? 0,
      (seq) => seq >= snapshot.seq,
      'the tick of the snapshot',
    )
    const ticks = h.events('tick')
    const stream = ticks[0]?.stream
    expect(snapshot.stream).toBe(stream)
    expect(ticks.map((tick) => tick.stream)).toEqual(ticks.map(() => stream))
    expect(ticks.map((tick) => tick.seq)).toEqual(ticks.map((_, index) => index + 1))
    // The first tick and the changes of those after it, applied in turn, give the snapshot's rooms.
    const rooms = new Map<string, RoomsSnapshot['rooms'][number]>()
    for (const tick of ticks.slice(0, snapshot.seq)) {
      for (const room of tick.changed) rooms.set(room.room, room)
      for (const room of tick.removed) rooms.delete(room)
    }
    expect(summary({ ...snapshot, rooms: [...rooms.values()] })).toEqual(summary(snapshot))
    expect(summary(snapshot).stage).toBeUndefined()

    await h.handlers['connection.connect']({ id: profile.id })
    const first = await h.until(
      async () => h.events('tick').find((tick) => tick.stream !== stream),
      (tick) => tick !== undefined,
      'a tick of the new reading',
    )
    expect(first?.seq).toBe(1)
    // A reading's first tick lists every room, since the console starts again from it.
    expect(summary({ ...snapshot, rooms: first?.changed ?? [] })).toEqual(summary(snapshot))
    expect(first?.removed).toEqual([])
  })

  it('tests connections and explains a wrong secret and an unknown app', async () => {
    const emulator = await opened.emulator()
    const harness = opened.harness()
    const connection = emulatorConnection(emulator)
    const good = await harness.handlers['profiles.test']({ connection, secret: emulator.secret })
    expect(good).toMatchObject({ ok: true, channels: 0 })
    const wrongSecret = await harness.handlers['profiles.test']({ connection, secret: 'not-the-secret' })
    expect(wrongSecret).toMatchObject({
      ok: false,
      failure: { kind: 'auth', message: expect.stringMatching(/Wrong key or secret/) },
    })
    const wrongApp = await harness.handlers['profiles.test']({
      connection: { ...connection, appId: '999' },
      secret: emulator.secret,
    })
    expect(wrongApp).toMatchObject({ ok: false, failure: { kind: 'app-not-found' } })
  })
})
