// BodyChunks between a download and the scan: chunks wait in order, the download is held once a few
// hundred kilobytes wait and let go when the scan has taken half, a failure reaches the scan, and a scan
// that gives up stops the download.
import { describe, expect, it } from 'vitest'
import { BodyChunks } from './channel-list-download.ts'
import type { BodyFlow } from './client.ts'

class Flow implements BodyFlow {
  resumes = 0
  cancelled: Error | null = null
  resume(): void {
    this.resumes++
  }
  cancel(reason: Error): void {
    this.cancelled = reason
  }
}

const KB = 1024

describe('BodyChunks', () => {
  it('hands chunks over in order, then the end, and keeps the first 64 bytes', async () => {
    const chunks = new BodyChunks()
    chunks.start(new Flow(), 150)
    expect(chunks.expectedBytes).toBe(150)
    chunks.write(new Uint8Array(50).fill(1))
    chunks.write(new Uint8Array(100).fill(2))
    chunks.end()
    expect((await chunks.next())?.[0]).toBe(1)
    expect((await chunks.next())?.byteLength).toBe(100)
    expect(await chunks.next()).toBeNull()
    expect([...chunks.head]).toEqual([...new Array(50).fill(1), ...new Array(14).fill(2)])
  })

  it('holds the download once 512 KB wait, and lets it go when half has been taken', async () => {
    const chunks = new BodyChunks()
    const flow = new Flow()
    chunks.start(flow, null)
    const answers: boolean[] = []
    for (let i = 0; i < 8; i++) answers.push(chunks.write(new Uint8Array(64 * KB)))
    expect(answers).toEqual([true, true, true, true, true, true, true, false])
    for (let i = 0; i < 3; i++) await chunks.next()
    expect(flow.resumes).toBe(0)
    await chunks.next()
    expect(flow.resumes).toBe(1)
    // Held again only once as much waits again.
    expect(chunks.write(new Uint8Array(64 * KB))).toBe(true)
  })

  it('waits for a chunk that has not come yet', async () => {
    const chunks = new BodyChunks()
    chunks.start(new Flow(), null)
    const waiting = chunks.next()
    setTimeout(() => chunks.write(new Uint8Array([7])), 10)
    expect([...((await waiting) ?? [])]).toEqual([7])
  })

  it('fails the scan with the download’s error, even one waiting for a chunk', async () => {
    const chunks = new BodyChunks()
    chunks.start(new Flow(), null)
    chunks.write(new Uint8Array(10))
    const broken = new Error('cut short')
    const waiting = chunks.next().then(() => chunks.next())
    chunks.fail(broken)
    await expect(waiting).rejects.toBe(broken)
  })

  it('gives the download up when the scan does, before or after the body began', async () => {
    const chunks = new BodyChunks()
    const flow = new Flow()
    chunks.start(flow, null)
    const malformed = new Error('malformed')
    chunks.cancel(malformed)
    expect(flow.cancelled).toBe(malformed)
    // Whatever still arrives is dropped.
    expect(chunks.write(new Uint8Array(1024 * KB))).toBe(true)
    await expect(chunks.next()).rejects.toBe(malformed)

    const early = new BodyChunks()
    const late = new Flow()
    early.cancel(malformed)
    early.start(late, 10)
    expect(late.cancelled).toBe(malformed)
  })
})
