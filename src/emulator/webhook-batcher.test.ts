import { afterEach, describe, expect, it, vi } from 'vitest'
import { type WebhookBatch, WebhookBatcher } from './webhook-batcher.ts'

describe('WebhookBatcher', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('flushes as soon as the batch is full', () => {
    const batches: WebhookBatch[] = []
    const batcher = new WebhookBatcher(
      250,
      3,
      (b) => batches.push(b),
      () => 42,
    )
    for (let i = 0; i < 7; i++) batcher.add({ name: 'channel_occupied', channel: `c${i}` })
    expect(batches.map((b) => b.events.length)).toEqual([3, 3])
    expect(batches[0]?.time_ms).toBe(42)
    batcher.close()
  })

  it('flushes a partial batch when the window ends, timed from its first event', () => {
    vi.useFakeTimers()
    const batches: WebhookBatch[] = []
    const batcher = new WebhookBatcher(250, 20, (b) => batches.push(b))
    batcher.add({ name: 'channel_occupied', channel: 'a' })
    vi.advanceTimersByTime(200)
    batcher.add({ name: 'channel_vacated', channel: 'a' })
    expect(batches).toHaveLength(0)
    vi.advanceTimersByTime(50)
    expect(batches).toHaveLength(1)
    expect(batches[0]?.events.map((e) => e.name)).toEqual(['channel_occupied', 'channel_vacated'])
  })

  it('drops pending events on close', () => {
    vi.useFakeTimers()
    const batches: WebhookBatch[] = []
    const batcher = new WebhookBatcher(250, 20, (b) => batches.push(b))
    batcher.add({ name: 'channel_occupied', channel: 'a' })
    batcher.close()
    batcher.add({ name: 'channel_occupied', channel: 'b' })
    vi.advanceTimersByTime(1000)
    expect(batches).toEqual([])
  })
})
