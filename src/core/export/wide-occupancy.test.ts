import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../history/history-store.ts'
import type { HistoryTick } from '../history/types.ts'
import type { RoomSummary } from '../presence/types.ts'
import { exportWideOccupancyCsv } from './wide-occupancy.ts'

const T0 = Date.UTC(2026, 0, 2, 3, 0, 0)
const iso = (ms: number) => new Date(ms).toISOString()

let dir: string
let store: HistoryStore
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-wide-'))
  store = HistoryStore.open(join(dir, 'history.sqlite'))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

function tick(at: number, rooms: RoomSummary[]): HistoryTick {
  const total = rooms.reduce((sum, room) => sum + room.count, 0)
  return { at, rooms, joins: [], leaves: [], total, channels: total, unmatched: 0 }
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').slice(0, -2).split('\r\n')
}

async function smallHistory() {
  await store.recordTick(
    tick(T0, [
      { room: 'a', count: 2, groups: {} },
      { room: '=evil', count: 1, groups: {} },
    ]),
  )
  await store.recordTick(
    tick(T0 + 5_000, [
      { room: 'a', count: 3, groups: {} },
      { room: '=evil', count: 1, groups: {} },
    ]),
  )
  await store.recordGap({ from: T0 + 10_000, to: T0 + 20_000, reason: 'Timed out' })
  await store.recordTick(tick(T0 + 20_000, [{ room: 'a', count: 1, groups: {} }]))
  // A room that appears later: blank before it, never 0.
  await store.recordTick(
    tick(T0 + 25_000, [
      { room: 'a', count: 1, groups: {} },
      { room: 'late', count: 7, groups: {} },
    ]),
  )
}

describe('occupancy with a column per room', () => {
  it('writes a row per interval: the total, then each room; blank before data and in gaps, never 0', async () => {
    await smallHistory()
    const out = join(dir, 'wide.csv')
    const result = await exportWideOccupancyCsv(store, { out, from: T0 - 10_000, to: T0 + 40_000, resolution: '10s' })
    expect(lines(out)).toEqual([
      `time,*total*,"'=evil",a,late`,
      `${iso(T0 - 10_000)},,,,`,
      `${iso(T0)},4,1,3,`,
      `${iso(T0 + 10_000)},,,,`,
      `${iso(T0 + 20_000)},8,0,1,7`,
      `${iso(T0 + 30_000)},8,0,1,7`,
    ])
    expect(result).toEqual({ rows: 5, path: out })
  })

  it('gives the same file whatever the block size it is computed in', async () => {
    await smallHistory()
    const whole = join(dir, 'whole.csv')
    const blocks = join(dir, 'blocks.csv')
    const options = { rooms: ['late', 'a'], from: T0 - 25_000, to: T0 + 45_000, resolution: '10s' } as const
    await exportWideOccupancyCsv(store, { ...options, out: whole })
    // Three columns a block of one row: every row is its own block.
    await exportWideOccupancyCsv(store, { ...options, out: blocks, cellsPerBlock: 1 })
    expect(readFileSync(blocks, 'utf8')).toBe(readFileSync(whole, 'utf8'))
    expect(lines(whole)[0]).toBe('time,*total*,late,a')
  })

  it('aligns rows to UTC intervals and reports progress', async () => {
    await smallHistory()
    const out = join(dir, 'minute.csv')
    const progress: number[] = []
    await exportWideOccupancyCsv(store, {
      out,
      rooms: ['a'],
      from: T0 + 30_000,
      to: T0 + 90_000,
      resolution: '1m',
      onProgress: ({ rows }) => progress.push(rows),
    })
    expect(lines(out)).toEqual(['time,*total*,a', `${iso(T0)},8,1`, `${iso(T0 + 60_000)},8,1`])
    expect(progress.at(-1)).toBe(2)
  })

  it('leaves no file behind when cancelled', async () => {
    await smallHistory()
    const controller = new AbortController()
    controller.abort()
    const out = join(dir, 'cancelled.csv')
    await expect(
      exportWideOccupancyCsv(store, { out, from: T0, to: T0 + 60_000, resolution: '10s', signal: controller.signal }),
    ).rejects.toThrow()
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(dir).filter((name) => name.includes('cancelled'))).toEqual([])
  })
})
