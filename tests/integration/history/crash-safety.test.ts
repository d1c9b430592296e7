import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/core/history/history-store.ts'

const WRITER = join(import.meta.dirname, 'tick-writer.ts')
const BASE_TIME = Date.UTC(2026, 0, 1)
let dir: string | null = null

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = null
})

/**
 * Runs the writer until it has committed at least `atLeast` ticks and has just started a big one
 * (written in several transactions), then kills it with SIGKILL. Returns the ticks it reported.
 */
async function runAndKill(path: string, first: number, atLeast: number, delayMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [WRITER, path, String(first)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const committed: number[] = []
  const exited = once(child, 'exit')
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, number] = line.split(' ')
    if (word === 'committed') committed.push(Number(number))
    if (word === 'writing' && committed.length >= atLeast && Number(number) % 4 === 0) {
      // Let the big tick get some of its transactions in before the kill.
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      child.kill('SIGKILL')
      break
    }
  }
  const [code, signal] = await exited
  expect(signal, `writer exited with ${code} before it was killed`).toBe('SIGKILL')
  return committed
}

function check(path: string, committed: number[]): void {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([])
    const stored = new Set((db.prepare('SELECT t FROM ticks').all() as { t: number }[]).map((row) => row.t))
    const missing = committed.filter((n) => !stored.has(BASE_TIME + n * 1_000))
    expect(missing).toEqual([])
  } finally {
    db.close()
  }
}

describe('history crash safety', () => {
  it('keeps every committed tick and an intact file through repeated kill -9 mid-write', async () => {
    dir = mkdtempSync(join(tmpdir(), 'headcount-crash-'))
    const path = join(dir, 'history.sqlite')
    const reported: number[] = []
    let next = 0
    for (const delayMs of [30, 60, 90]) {
      const committed = await runAndKill(path, next, 6, delayMs)
      expect(committed.length).toBeGreaterThanOrEqual(6)
      reported.push(...committed)
      check(path, reported)
      next = (committed.at(-1) as number) + 2
    }

    // Opening it again undoes the half-written tick: nothing after the last tick, no session that
    // ends before it began; and the first reading after the crash (nobody present) ends every session
    // of the killed run when last seen, as having left during the gap.
    const store = HistoryStore.open(path)
    await store.flush()
    const last = BASE_TIME + (reported.at(-1) as number) * 1_000
    await store.recordTick({
      at: last + 60_000,
      rooms: [],
      joins: [],
      leaves: [],
      total: 0,
      channels: 0,
      unmatched: 0,
      baseline: true,
    })
    await store.close()
    const db = new DatabaseSync(path, { readOnly: true })
    try {
      expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
      const lastTick = (db.prepare('SELECT max(t) AS t FROM ticks WHERE t < ?').get(last + 60_000) as { t: number }).t
      expect(lastTick).toBeGreaterThanOrEqual(last)
      expect(
        db.prepare('SELECT count(*) AS n FROM samples WHERE t > ? AND t < ?').get(lastTick, last + 60_000),
      ).toEqual({ n: 0 })
      expect(
        db.prepare('SELECT count(*) AS n FROM sessions WHERE joined > ? AND joined < ?').get(lastTick, last + 60_000),
      ).toEqual({ n: 0 })
      expect(db.prepare('SELECT count(*) AS n FROM sessions WHERE left < joined').get()).toEqual({ n: 0 })
      expect(db.prepare('SELECT count(*) AS n FROM sessions WHERE left IS NULL').get()).toEqual({ n: 0 })
      expect(db.prepare('SELECT count(*) AS n FROM sessions WHERE left > ?').get(lastTick)).toEqual({ n: 0 })
      const gone = db.prepare("SELECT count(*) AS n FROM sessions WHERE leave_note = 'gap'").get() as { n: number }
      expect(gone.n).toBeGreaterThan(0)
    } finally {
      db.close()
    }
  }, 60_000)
})
