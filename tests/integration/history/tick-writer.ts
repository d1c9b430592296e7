// Writes ticks to a history database forever, printing "writing N" before each and "committed N"
// once it is stored, for the kill -9 test to interrupt. Usage: node tick-writer.ts DB FIRST_TICK
import { HistoryStore } from '../../../src/core/history/history-store.ts'
import type { HistoryTick } from '../../../src/core/history/types.ts'
import type { Member } from '../../../src/core/presence/types.ts'

const BASE_TIME = Date.UTC(2026, 0, 1)
const ROOMS = 20
/** Every 4th tick is big enough to be written in several transactions. */
const BIG_JOINS = 30_000

const [path, first] = process.argv.slice(2)
if (!path || first === undefined) throw new Error('usage: tick-writer.ts DB FIRST_TICK')
const store = HistoryStore.open(path)

function tickFor(n: number): HistoryTick {
  const big = n % 4 === 0
  const joins: Member[] = [{ room: `r${n % ROOMS}`, group: n % 2 ? 'odd' : null, user: `small-${n}` }]
  if (big)
    for (let i = 0; i < BIG_JOINS; i += 1) joins.push({ room: `r${i % ROOMS}`, group: null, user: `crowd-${n}-${i}` })
  const leaves: Member[] =
    n % 4 === 1
      ? Array.from({ length: BIG_JOINS }, (_, i) => ({
          room: `r${i % ROOMS}`,
          group: null,
          user: `crowd-${n - 1}-${i}`,
        }))
      : []
  const rooms = Array.from({ length: ROOMS }, (_, r) => ({
    room: `r${r}`,
    count: ((n + r) % 7) + (big ? BIG_JOINS / ROOMS : 0),
    groups: { odd: (n + r) % 3 },
  }))
  return {
    at: BASE_TIME + n * 1_000,
    rooms,
    joins,
    leaves,
    total: rooms.reduce((sum, room) => sum + room.count, 0),
    channels: 0,
    unmatched: 0,
  }
}

for (let n = Number(first); ; n += 1) {
  process.stdout.write(`writing ${n}\n`)
  await store.recordTick(tickFor(n))
  process.stdout.write(`committed ${n}\n`)
}
