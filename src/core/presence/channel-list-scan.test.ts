// How a scan sizes the presence tables for a body: once, early, from the names it has read, so a first
// load never rehashes part-way (a pause that cannot be sliced) nor reserves for the shortest names.
import { describe, expect, it } from 'vitest'
import { compileConvention, DEFAULT_CONVENTION } from '../../shared/naming.ts'
import { compileBytesParser } from './channel-bytes.ts'
import { ChannelListScan } from './channel-list-scan.ts'
import { ChannelTable } from './channel-table.ts'
import { MemberStore } from './member-store.ts'

const encoder = new TextEncoder()
const convention = compileConvention(DEFAULT_CONVENTION)

/** A body listing `size` channels named by `name`, fresh tables, and scans of it into them by generation. */
function scansOf(size: number, name: (i: number) => string) {
  const names = Array.from({ length: size }, (_, i) => `"${name(i)}":{}`)
  const body = encoder.encode(`{"channels":{${names.join(',')}}}`)
  const table = new ChannelTable()
  const members = new MemberStore()
  const scan = (generation: number) =>
    new ChannelListScan(body, table, members, convention, compileBytesParser(convention.convention), generation)
  return { body, table, scan }
}

describe('ChannelListScan sizing the tables', () => {
  it('reserves for the whole body once, from the average name, and does not rehash after', async () => {
    const size = 60_000
    const { body, table, scan } = scansOf(size, (i) => `private-room${i % 50}-player-with-a-longer-id${i}`)
    const seen: number[] = []
    const outcome = await scan(1).run({
      sliceOver: () => true,
      pause: async () => {
        seen.push(table.slotCount)
      },
      resumed: () => {},
    })
    expect(outcome.channels).toBe(size)
    const final = table.slotCount
    // Big enough for all of them at three quarters full, without the room 20-byte names would need
    // (these are about 45 bytes: a reserve by bytes / 20 would take twice as many).
    expect(final).toBeGreaterThanOrEqual((size * 4) / 3)
    expect(final).toBeLessThanOrEqual(size * 4)
    expect(final).toBeLessThan((Math.ceil(body.byteLength / 20) * 4) / 3)
    // Sized while the first few thousand were read, and never again.
    const firstAtFinal = seen.indexOf(final)
    expect(firstAtFinal).toBeGreaterThanOrEqual(0)
    expect(firstAtFinal).toBeLessThan(seen.length / 4)
    expect(seen.slice(firstAtFinal).every((slots) => slots === final)).toBe(true)
  })

  it('readies the bigger slots a few pages at a time between turns, and swaps each table to them once', async () => {
    // 200,000 names: slots for about 250,000 entries, half a million each, 2 MB, eight steps of touching.
    const size = 200_000
    const { table, scan } = scansOf(size, (i) => `private-room${i % 50}-player${i}`)
    const seen: Array<{ channels: number; slots: number }> = []
    // A slice always spent: every chance to give a turn is taken.
    await scan(1).run({
      sliceOver: () => true,
      pause: async () => void seen.push({ channels: table.size, slots: table.slotCount }),
      resumed: () => {},
    })
    const final = table.slotCount
    expect(final).toBe(1 << 19)
    const sizedAt = seen.findIndex((turn) => turn.slots === final)
    // The turns taken while no channel was read: the steps of touching both tables' new slots. Without
    // the steps, sizing would take none, however long it took.
    const whileSizing = seen.filter((turn) => turn.channels === seen[sizedAt]?.channels)
    expect(whileSizing.length).toBeGreaterThanOrEqual(15)
    // The channel table's slots are swapped in once, after its steps, and never grow again.
    expect(seen[sizedAt - 1]?.slots).toBeLessThan(final)
    expect(seen.slice(sizedAt).every((turn) => turn.slots === final)).toBe(true)
  })

  it('takes no extra turn to size the tables when the slice is not spent, or when they are big enough', async () => {
    const { table, scan } = scansOf(20_000, (i) => `private-room${i % 50}-player${i}`)
    const seen: number[] = []
    await scan(1).run({ sliceOver: () => false, pause: async () => void seen.push(table.slotCount), resumed: () => {} })
    expect(seen).toEqual([])
    expect(table.slotCount).toBeGreaterThanOrEqual((20_000 * 4) / 3)
    // A later scan of the same body finds the tables big enough.
    await scan(2).run({ sliceOver: () => true, pause: async () => void seen.push(table.slotCount), resumed: () => {} })
    expect(new Set(seen)).toEqual(new Set([table.slotCount]))
  })
})
