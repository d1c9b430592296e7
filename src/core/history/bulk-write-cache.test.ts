// A tick of many joins (a first sync) is written with a small SQLite page cache, so that the history's
// cache does not fill with pages written once while the presence state is at its largest; the
// queries' cache comes back once the tick is stored, whether it was stored or failed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../logger.ts'
import type { Member } from '../presence/types.ts'
import { BULK_WRITE_CACHE_KIB, CACHE_KIB, HistoryDb, openHistoryDatabase } from './history-db.ts'
import { RoomIndex } from './room-index.ts'
import { BULK_WRITE_JOINS, HistoryWriter } from './writer.ts'

let dir: string
let db: HistoryDb
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-bulk-cache-'))
  const path = join(dir, 'history.sqlite')
  const raw = openHistoryDatabase(path, { readOnly: false, synchronous: 'NORMAL', now: Date.now() })
  db = new HistoryDb(raw, path, { readOnly: false, budgetMs: 2, logger: silentLogger })
})
afterEach(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** SQLite's cache_size as set (negative: KiB). */
const cacheSize = (): number => (db.raw.prepare('PRAGMA cache_size').get() as { cache_size: number }).cache_size

/** The cache sizes seen between the chunks of a write (it yields to the event loop between them). */
async function cacheSizesDuring(write: Promise<void>): Promise<Set<number>> {
  const seen = new Set<number>()
  let done = false
  const watching = (async () => {
    while (!done) {
      seen.add(cacheSize())
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  try {
    await write
  } finally {
    done = true
    await watching
  }
  return seen
}

function crowd(size: number): Member[] {
  return Array.from({ length: size }, (_, i) => ({ room: `room${i % 50}`, group: 'red', user: `u${i}` }))
}

const tick = (at: number, joins: Member[]) => ({
  at,
  rooms: [],
  joins,
  leaves: [],
  total: joins.length,
  channels: joins.length,
  unmatched: 0,
})

describe('the page cache while a tick is written', () => {
  it('is small while a tick of many joins is written, and as before once it is stored', async () => {
    expect(cacheSize()).toBe(-CACHE_KIB)
    const writer = new HistoryWriter(db, new RoomIndex(db))
    const seen = await cacheSizesDuring(writer.writeTick(tick(1000, crowd(BULK_WRITE_JOINS))))
    expect(seen).toContain(-BULK_WRITE_CACHE_KIB)
    expect(cacheSize()).toBe(-CACHE_KIB)
    expect((db.raw.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n).toBe(BULK_WRITE_JOINS)
  })

  it('stays as it is for an ordinary tick', async () => {
    const writer = new HistoryWriter(db, new RoomIndex(db))
    const seen = await cacheSizesDuring(writer.writeTick(tick(1000, crowd(2000))))
    expect([...seen]).toEqual([-CACHE_KIB])
  })
})
