import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { PRIVATE_FILE_MODE } from '../data-files.ts'

const FLUSH_AT = 64 * 1024
/** How much may wait for the disk before the writer waits: a few chunks, so building the next one overlaps writing the last. */
const QUEUE_BYTES = 1024 * 1024

/**
 * A CSV file written through a stream: lines are gathered into 64 KB writes, the writer waits for
 * the stream to drain when it is behind (never the whole file in memory), and the file is written
 * under a hidden temporary name in the same folder and renamed into place only when complete, so a
 * half-written export never looks finished. `abort()` deletes the partial file.
 */
export class CsvFile {
  readonly path: string
  readonly tempPath: string
  private readonly stream: WriteStream
  private buffer = ''
  private failed: Error | null = null
  private settled = false

  private constructor(path: string) {
    this.path = path
    this.tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
    // Private like everything in the data folder: an export lists who was present and when.
    this.stream = createWriteStream(this.tempPath, { flags: 'wx', mode: PRIVATE_FILE_MODE, highWaterMark: QUEUE_BYTES })
    this.stream.on('error', (error) => {
      this.failed ??= error
    })
  }

  /** Opens the temporary file (failing clearly if the folder is missing or not writable). */
  static async create(path: string): Promise<CsvFile> {
    const file = new CsvFile(path)
    // `once` rejects if the stream reports an error instead (missing folder, no permission).
    await once(file.stream, 'open')
    return file
  }

  /** Adds text; resolves at once unless the stream is behind, in which case it waits for it. */
  async write(text: string): Promise<void> {
    this.buffer += text
    if (this.buffer.length >= FLUSH_AT) await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.failed
    if (this.buffer.length === 0) return
    const chunk = this.buffer
    this.buffer = ''
    if (!this.stream.write(chunk)) await once(this.stream, 'drain')
  }

  /** Writes what is left, closes the file and renames it into place. */
  async finish(): Promise<void> {
    await this.flush()
    this.settled = true
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close').catch(() => undefined)
      this.stream.end()
      await closed
    }
    if (this.failed) {
      await rm(this.tempPath, { force: true })
      throw this.failed
    }
    await rename(this.tempPath, this.path)
  }

  /** Stops writing and removes the partial file. Safe to call more than once, or after a failure. */
  async abort(): Promise<void> {
    if (this.settled) return
    this.settled = true
    if (!this.stream.closed) {
      this.stream.destroy()
      await once(this.stream, 'close').catch(() => undefined)
    }
    await rm(this.tempPath, { force: true })
  }
}
