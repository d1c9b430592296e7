import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SPEND_BUCKET_MS } from '../../shared/broadcast.ts'
import { type Logger, silentLogger } from '../logger.ts'
import { SpendLedger, spendLedgerPath } from './spend-ledger.ts'

const MIDNIGHT = Date.UTC(2026, 2, 4)
const APP = 'https://api-eu.pusher.com/apps/42 key app-key'
const OTHER_APP = 'https://api-eu.pusher.com/apps/43 key other-key'
const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'headcount-spend-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the spend ledger', () => {
  it('sums Pusher’s day (UTC) and keeps it across a reopen, as a restart would', () => {
    const path = spendLedgerPath(tempDir(), 'profile-1')
    const ledger = SpendLedger.open(path, silentLogger, APP, MIDNIGHT)
    ledger.add(MIDNIGHT - 60_000, { messages: 500, events: 5 })
    ledger.add(MIDNIGHT + 60_000, { messages: 100, events: 1, deliveries: 99, requests: 1 })
    ledger.add(MIDNIGHT + 3 * SPEND_BUCKET_MS, { messages: 40 })
    // An estimate given back when the send failed.
    ledger.add(MIDNIGHT + 3 * SPEND_BUCKET_MS, { messages: -10 })
    ledger.flush(MIDNIGHT + 3 * SPEND_BUCKET_MS)
    const reopened = SpendLedger.open(path, silentLogger, APP, MIDNIGHT + 3 * SPEND_BUCKET_MS)
    expect(reopened.today(MIDNIGHT + 3 * SPEND_BUCKET_MS, 'messages')).toBe(130)
    expect(reopened.today(MIDNIGHT + 3 * SPEND_BUCKET_MS, 'deliveries')).toBe(99)
    expect(reopened.since(MIDNIGHT - SPEND_BUCKET_MS, 'messages')).toBe(630)
    expect(reopened.recent(MIDNIGHT + 3 * SPEND_BUCKET_MS).map((bucket) => bucket.start)).toEqual([
      MIDNIGHT - SPEND_BUCKET_MS,
      MIDNIGHT,
      MIDNIGHT + 3 * SPEND_BUCKET_MS,
    ])
  })

  it('drops buckets older than two days', () => {
    const path = spendLedgerPath(tempDir(), 'p')
    const ledger = SpendLedger.open(path, silentLogger, APP, MIDNIGHT)
    ledger.add(MIDNIGHT, { messages: 1 })
    ledger.flush(MIDNIGHT)
    const later = MIDNIGHT + 3 * 86_400_000
    expect(SpendLedger.open(path, silentLogger, APP, later).since(0, 'messages')).toBe(0)
  })

  it('sets an unreadable file aside with a warning and starts the day at 0', () => {
    const dir = tempDir()
    const path = spendLedgerPath(dir, 'p')
    SpendLedger.open(path, silentLogger, APP, MIDNIGHT).flush(MIDNIGHT)
    const ledger = SpendLedger.open(path, silentLogger, APP, MIDNIGHT)
    ledger.add(MIDNIGHT, { messages: 1 })
    ledger.flush(MIDNIGHT)
    writeFileSync(path, '{"version": 1, "buckets": [{"start": "yesterday"}]}')
    const warnings: string[] = []
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) }
    const reopened = SpendLedger.open(path, logger, APP, MIDNIGHT)
    expect(reopened.today(MIDNIGHT, 'messages')).toBe(0)
    expect(warnings[0]).toMatch(/unusable \(not a spend file Headcount wrote\); kept as .*invalid-/)
    expect(readdirSync(join(dir, 'broadcast')).some((name) => name.includes('.invalid-'))).toBe(true)
  })

  it('does not carry one app’s day over to another: a profile pointed at a new app starts it at 0', () => {
    const path = spendLedgerPath(tempDir(), 'p')
    const old = SpendLedger.open(path, silentLogger, APP, MIDNIGHT)
    old.add(MIDNIGHT + 60_000, { messages: 900, events: 9 })
    old.flush(MIDNIGHT + 60_000)
    const retargeted = SpendLedger.open(path, silentLogger, OTHER_APP, MIDNIGHT + 120_000)
    expect(retargeted.today(MIDNIGHT + 120_000, 'messages')).toBe(0)
    expect(retargeted.recent(MIDNIGHT + 120_000)).toEqual([])
    // Written for the new app at the next flush, even with nothing spent yet: a restart reads the new day.
    retargeted.flush(MIDNIGHT + 120_000)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ app: OTHER_APP, buckets: [] })
    retargeted.add(MIDNIGHT + 180_000, { messages: 5 })
    retargeted.flush(MIDNIGHT + 180_000)
    expect(
      SpendLedger.open(path, silentLogger, OTHER_APP, MIDNIGHT + 240_000).today(MIDNIGHT + 240_000, 'messages'),
    ).toBe(5)
  })

  it('takes a file written before the app was kept as the profile’s app (its spend still counts)', () => {
    const path = spendLedgerPath(tempDir(), 'p')
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        buckets: [{ start: MIDNIGHT, requests: 1, events: 1, deliveries: 6, messages: 7, vanilla: 0 }],
      }),
    )
    expect(SpendLedger.open(path, silentLogger, APP, MIDNIGHT + 60_000).today(MIDNIGHT + 60_000, 'messages')).toBe(7)
  })
})
