import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChannelsClient } from '../../../src/core/channels/client.ts'
import { HistoryStore } from '../../../src/core/history/history-store.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { PresenceState } from '../../../src/core/presence/presence-state.ts'
import { SyncLoop, type SyncTick } from '../../../src/core/sync/sync-loop.ts'
import { compileConvention, DEFAULT_CONVENTION } from '../../../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS, type SyncStatus } from '../../../src/shared/sync.ts'
import { credentialsFor, FakeApi } from '../channels/fake-api.ts'

const GOOD = JSON.stringify({ channels: { 'private-lobby-max': {}, 'private-lobby-eve': {}, 'private-lobby': {} } })

let api: FakeApi
let dir: string
let history: HistoryStore
let loop: SyncLoop | null = null
beforeEach(async () => {
  api = await new FakeApi().start()
  dir = mkdtempSync(join(tmpdir(), 'headcount-sync-'))
  history = HistoryStore.open(join(dir, 'history.sqlite'))
})
afterEach(async () => {
  await loop?.stop()
  loop = null
  await history.close()
  await api.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A sync loop polling the fake API each second, with jitter pinned to its maximum so delays are exact. */
function startLoop(timeoutMs = 2000, pollIntervalSec = 1) {
  const statuses: SyncStatus[] = []
  const ticks: SyncTick[] = []
  const convention = compileConvention(DEFAULT_CONVENTION)
  loop = new SyncLoop({
    client: new ChannelsClient(credentialsFor(api.port), { timeoutMs }),
    presence: new PresenceState(convention),
    prefix: convention.prefix,
    options: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec },
    onTick: async (tick) => {
      ticks.push(tick)
      await history.recordTick({ ...tick.result })
    },
    onGap: (gap) => void history.recordGap(gap),
    onStatus: (status) => statuses.push(status),
    verifyWebhook: () => false,
    logger: silentLogger,
    random: () => 1,
  })
  void loop.start()
  return { statuses, ticks, loop }
}

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const lastWith = (statuses: SyncStatus[], test: (status: SyncStatus) => boolean) => [...statuses].reverse().find(test)

describe('sync failures', () => {
  it.each([
    ['HTTP 401', () => api.reply(401, 'Invalid signature'), 'auth', /Wrong key or secret/],
    ['HTTP 404', () => api.reply(404, 'Unknown app'), 'app-not-found', /App not found/],
    ['HTTP 413', () => api.reply(413, 'Request too large'), 'too-large', /too large/],
    ['HTTP 429', () => api.reply(429, 'Slow down'), 'rate-limited', /Rate limited/],
    ['HTTP 500', () => api.reply(500, 'Oops'), 'server-error', /HTTP 500/],
    ['malformed JSON', () => api.reply(200, '{"channels": {"private-a-b": {'), 'malformed', /malformed/],
    [
      'an error inside HTTP 200',
      () => api.reply(200, '{"error": "Invalid key", "code": 401}'),
      'auth',
      /inside an HTTP 200/,
    ],
    [
      'a web page',
      () => api.reply(200, '<!doctype html><title>Login</title>', 'text/html'),
      'not-channels-api',
      /web page, not the Channels API/,
    ],
    ['no answer', () => (api.responder = () => {}), 'timeout', /No answer/],
  ])('classifies %s, backs off, records a gap and recovers', async (_label, breakApi, kind, message) => {
    api.reply(200, GOOD)
    const { statuses, ticks, loop } = startLoop(300)
    const firstOk = await until(() => lastWith(statuses, (status) => status.state === 'ok'), 'the first good poll')
    expect(firstOk).toMatchObject({ participants: 2, rooms: 1, channels: 3, unmatched: 1, error: null })

    breakApi()
    const delays: number[] = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      loop.pollNow()
      const failing = await until(
        () =>
          lastWith(
            statuses,
            (status) =>
              status.error?.attempts === attempt &&
              status.nextAttemptAt !== null &&
              status.nextAttemptAt > (status.lastAttemptAt ?? 0),
          ),
        `failed attempt ${attempt}`,
      )
      expect(failing.state).toBe('failing')
      expect(failing.error?.kind).toBe(kind)
      expect(failing.error?.message).toMatch(message)
      expect(failing.error?.hint.length).toBeGreaterThan(10)
      delays.push((failing.nextAttemptAt ?? 0) - (failing.lastAttemptAt ?? 0))
    }
    // Doubling from a 1 s interval, jitter pinned: the retry waits grow and never exceed 60 s.
    expect(delays[0]).toBeGreaterThanOrEqual(1000)
    expect(delays[1]).toBeGreaterThan(delays[0] as number)
    expect(delays[2]).toBeGreaterThan(delays[1] as number)
    // While failing, presence holds its last good state: a failure is not a zero.
    expect(ticks).toHaveLength(1)

    api.reply(200, GOOD)
    loop.pollNow()
    const recovered = await until(
      () => lastWith(statuses, (status) => status.state === 'ok' && status.lastSuccessAt !== firstOk.lastSuccessAt),
      'recovery',
    )
    expect(recovered.error).toBeNull()
    await history.flush()
    const [series] = history.querySeries({
      rooms: ['lobby'],
      from: (firstOk.lastSuccessAt ?? 0) - 1000,
      to: (recovered.lastSuccessAt ?? 0) + 1,
      points: 1000,
    })
    const values = series?.points.map((point) => point.value) ?? []
    expect(values).toContain(null)
    expect(values).not.toContain(0)
    // The gap says why, in the failure's own words.
    const { spans } = history.annotations((firstOk.lastSuccessAt ?? 0) - 1000, (recovered.lastSuccessAt ?? 0) + 1)
    expect(spans).toEqual([expect.objectContaining({ kind: 'gap', label: 'Sync failed' })])
    expect(spans[0]?.detail).toMatch(message)
  })

  it('reports a closed port in words and keeps retrying', async () => {
    const port = api.port
    await api.stop()
    const convention = compileConvention(DEFAULT_CONVENTION)
    const statuses: SyncStatus[] = []
    loop = new SyncLoop({
      client: new ChannelsClient(credentialsFor(port)),
      presence: new PresenceState(convention),
      prefix: convention.prefix,
      options: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
      onTick: async () => {},
      onGap: () => {},
      onStatus: (status) => statuses.push(status),
      verifyWebhook: () => false,
      logger: silentLogger,
    })
    await loop.start()
    const failing = await until(() => lastWith(statuses, (status) => status.state === 'failing'), 'a failure')
    expect(failing.error).toMatchObject({
      kind: 'network',
      message: expect.stringMatching(/nothing is listening there/),
    })
    expect(failing.nextAttemptAt).not.toBeNull()
    api = await new FakeApi().start()
  })
})

describe('sync now', () => {
  it('asked while a poll is under way, polls again after it: that poll may have been sent before', async () => {
    api.reply(200, GOOD)
    // Polls a minute apart: only "sync now" can bring the next one within this test.
    const { statuses } = startLoop(2000, 60)
    await until(() => lastWith(statuses, (status) => status.participants === 2), 'the first poll')
    let answerHeld: (() => void) | null = null
    api.responder = (_request, response) => {
      answerHeld = () => response.writeHead(200, { 'Content-Type': 'application/json' }).end(GOOD)
    }
    loop?.pollNow()
    const answer = await until(() => answerHeld ?? undefined, 'the second poll to be sent')
    // Somebody joins after that request left; the operator asks for a sync while it is still out.
    api.reply(200, JSON.stringify({ channels: { ...JSON.parse(GOOD).channels, 'private-lobby-ann': {} } }))
    loop?.pollNow()
    answer()
    const after = await until(() => lastWith(statuses, (status) => status.participants === 3), 'a poll after it')
    expect(after.state).toBe('ok')
    expect(api.requests).toHaveLength(3)
  })
})
