import type { DatabaseSync } from 'node:sqlite'
import { yieldToEventLoop } from '../event-loop.ts'

/** Runs tasks one after another, in the order they were given, whatever each one awaits. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }

  /** Settles once everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined)
  }
}

/**
 * Drives `work` (a generator that makes one small write per step) in transactions that each hold the
 * event loop for about `budgetMs`, yielding between them. Work that fits in one budget is a single
 * transaction, so it is all-or-nothing; longer work commits chunk by chunk and the caller must be
 * able to undo a partial run (see HistoryStore's recovery).
 */
export interface ChunkHooks {
  /** After each commit (e.g. ask for a checkpoint). */
  afterCommit?: () => void
  /** Awaited between chunks (e.g. let a checkpoint catch up). */
  between?: () => Promise<void>
}

export async function runInChunks(
  db: DatabaseSync,
  work: Iterator<unknown>,
  budgetMs: number,
  hooks: ChunkHooks = {},
): Promise<void> {
  for (;;) {
    const started = performance.now()
    let done = false
    db.exec('BEGIN IMMEDIATE')
    try {
      for (let steps = 1; ; steps += 1) {
        if (work.next().done) {
          done = true
          break
        }
        // Reading the clock costs more than a small write: look every 32 steps.
        if ((steps & 31) === 0 && performance.now() - started >= budgetMs) break
      }
      db.exec('COMMIT')
      hooks.afterCommit?.()
    } catch (error) {
      try {
        db.exec('ROLLBACK')
      } catch {
        // The failed statement may already have ended the transaction.
      }
      throw error
    }
    if (done) return
    await yieldToEventLoop()
    await hooks.between?.()
  }
}
