import { Worker } from 'node:worker_threads'
import type { Logger } from '../logger.ts'

const CHECKPOINT_DELAY_MS = 200

// Plain JavaScript, evaluated as the worker's script: no file to bundle or ship beside the engine.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { DatabaseSync } = require('node:sqlite')
const db = new DatabaseSync(workerData.path)
db.exec('PRAGMA busy_timeout = 5000')
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
parentPort.on('message', () => {
  try {
    parentPort.postMessage({ ok: true, result: checkpoint.get() })
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) })
  }
})
`

/**
 * Copies the WAL back into the database file on a worker thread. SQLite normally does this inside
 * whichever commit crosses 1,000 WAL pages, holding the event loop for up to ~100 ms while it copies
 * and syncs; here the main connection never checkpoints (`wal_autocheckpoint = 0`) and asks this
 * worker instead, after its commits. Requests made while one runs are folded into one more run.
 * A checkpoint interrupted by a crash is harmless: the WAL stays the source of truth until it is done.
 */
export class Checkpointer {
  private worker: Worker | null = null
  private running = false
  private pending = false
  /** Frames in the WAL at the last checkpoint, and whether it copied them all. */
  private logFrames = 0
  private complete = true
  private timer: ReturnType<typeof setTimeout> | null = null
  private waiters: (() => void)[] = []
  private readonly logger: Logger
  private readonly onUnavailable: () => void

  constructor(path: string, logger: Logger, onUnavailable: () => void) {
    this.logger = logger
    this.onUnavailable = onUnavailable
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } })
      worker.unref()
      worker.on(
        'message',
        (message: { ok: boolean; error?: string; result?: { log: number; checkpointed: number } }) => {
          if (!message.ok) this.logger.warn(`History checkpoint failed: ${message.error}`)
          this.logFrames = message.result?.log ?? 0
          this.complete = message.result ? message.result.checkpointed >= message.result.log : true
          this.running = false
          if (this.pending) {
            this.pending = false
            this.start()
          } else {
            for (const wake of this.waiters.splice(0)) wake()
          }
        },
      )
      worker.on('error', (error) => this.fail(error))
      this.worker = worker
    } catch (error) {
      this.fail(error)
    }
  }

  /**
   * Asks for a checkpoint soon. Not at once: the WAL starts over only when a write begins after a
   * complete checkpoint and while none is running, so checkpoints must leave gaps between them.
   */
  request(): void {
    if (!this.worker || this.timer || this.running) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.start()
    }, CHECKPOINT_DELAY_MS)
    this.timer.unref()
  }

  private start(): void {
    if (!this.worker) return
    if (this.running) {
      this.pending = true
      return
    }
    this.running = true
    this.worker.postMessage('checkpoint')
  }

  /**
   * Writers call this between transactions. A checkpoint cannot finish while new frames keep coming,
   * and the WAL only starts over once one has: so when the log has grown large, writing waits
   * (asynchronously) for a checkpoint to catch up, which keeps the WAL file bounded.
   */
  async catchUp(maxFrames = 8_192): Promise<void> {
    while (this.worker && this.logFrames > maxFrames && (this.running || !this.complete)) {
      if (!this.running) this.start()
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    if (this.timer) clearTimeout(this.timer)
    for (const wake of this.waiters.splice(0)) wake()
    if (worker) await worker.terminate()
  }

  private fail(error: unknown): void {
    this.logger.warn('History checkpoints fall back to the main thread:', error)
    this.worker = null
    this.running = false
    for (const wake of this.waiters.splice(0)) wake()
    this.onUnavailable()
  }
}
