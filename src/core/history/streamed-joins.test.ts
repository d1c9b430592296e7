// The engine hands the history a snapshot's joins as the presence state's JoinedMembers (read one at a
// time) rather than a list. These write the same syncs both ways into two files and compare them row
// for row: sessions (ids, notes and all), samples, ticks and gaps, through a restart, a gap and a
// convention change.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compileConvention, type NamingConvention } from '../../shared/naming.ts'
import { PresenceState } from '../presence/presence-state.ts'
import type { IngestResult, Member } from '../presence/types.ts'
import { HistoryStore } from './history-store.ts'
import { inIndexOrder } from './member-order.ts'

const WITH_GROUPS: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }
const WITHOUT_GROUPS: NamingConvention = { kind: 'template', template: 'private-{room}-{user}' }
const encoder = new TextEncoder()
const list = (names: readonly string[]): Uint8Array =>
  encoder.encode(`{"channels":{${names.map((name) => `${JSON.stringify(name)}:{}`).join(',')}}}`)

/** `size` members from `from` on, over rooms and groups; users of several lengths, some prefixes of others. */
function crowd(size: number, from: number): string[] {
  const names: string[] = []
  for (let n = from; n < from + size; n++) {
    const group = ['players', 'red', 'blue', 'staff'][n % 4] as string
    names.push(`private-room${(n * 7) % 9}-${group}-${n % 5 === 0 ? 'U' : 'u'}${n % 3 === 0 ? n : `${n}x`}`)
  }
  return names
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-streamed-joins-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

interface Rows {
  sessions: unknown[]
  samples: unknown[]
  ticks: unknown[]
  gaps: unknown[]
  events: unknown[]
}

/** One way of handing joins to the history: its own presence state and history file. */
class Side {
  readonly path: string
  store: HistoryStore
  presence: PresenceState
  private fresh = true

  private readonly streamed: boolean

  constructor(name: string, streamed: boolean, convention: NamingConvention) {
    this.streamed = streamed
    this.path = join(dir, `${name}.sqlite`)
    this.store = HistoryStore.open(this.path)
    this.presence = new PresenceState(compileConvention(convention))
  }

  /** A poll, handed to the history as the monitor hands it (the first after a start is a fresh reading). */
  async poll(names: readonly string[], at: number): Promise<void> {
    const result: IngestResult = await this.presence.ingestChannelList(
      list(names),
      at,
      this.streamed ? { lazyJoins: true } : {},
    )
    if (this.streamed) expect(result.joinedMembers).toBeDefined()
    await this.store.recordTick({
      at: result.at,
      rooms: result.rooms,
      joins: this.streamed ? (result.joinedMembers ?? []) : result.joins,
      leaves: result.leaves,
      total: result.total,
      channels: result.channels,
      unmatched: result.unmatched,
      baseline: this.fresh,
    })
    this.fresh = false
  }

  async start(convention: NamingConvention, at: number): Promise<void> {
    await this.store.recordSetup(at, { convention, syncMode: 'poll', broadcasting: false })
  }

  /** Stops, closes the file and opens it again with a new, empty presence state (a restart). */
  async restart(convention: NamingConvention, stoppedAt: number): Promise<void> {
    await this.store.recordSyncStopped(stoppedAt, 'stopped')
    await this.store.close()
    this.store = HistoryStore.open(this.path)
    this.presence = new PresenceState(compileConvention(convention))
    this.fresh = true
    await this.start(convention, stoppedAt + 1)
  }

  async rows(): Promise<Rows> {
    await this.store.flush()
    const db = new DatabaseSync(this.path, { readOnly: true })
    try {
      const read = (sql: string): unknown[] => db.prepare(sql).all()
      return {
        sessions: read(
          'SELECT s.id, r.name AS room, s.user, s.grp, s.joined, s.left, s.join_note, s.leave_note FROM sessions s JOIN rooms r ON r.id = s.room_id ORDER BY s.id',
        ),
        samples: read(
          'SELECT r.name AS room, s.t, s.count, s.groups FROM samples s JOIN rooms r ON r.id = s.room_id ORDER BY r.name, s.t',
        ),
        ticks: read('SELECT * FROM ticks ORDER BY t'),
        gaps: read('SELECT from_t, to_t, reason, kind FROM gaps ORDER BY from_t, to_t'),
        events: read('SELECT t, kind, label, detail FROM events ORDER BY t'),
      }
    } finally {
      db.close()
    }
  }
}

describe('history: joins streamed from the presence state, or listed, give the same history', () => {
  it('through a first sync, churn, a restart, a failed poll and a convention change', async () => {
    const streamed = new Side('streamed', true, WITH_GROUPS)
    const listed = new Side('listed', false, WITH_GROUPS)
    const sides = [streamed, listed]
    const everyone = crowd(9_000, 0)
    const churned = [...everyone.filter((_, i) => i % 7 !== 2), ...crowd(800, 20_000)].reverse()
    // While stopped: some left, others came.
    const afterRestart = [...churned.filter((_, i) => i % 5 !== 1), ...crowd(600, 30_000)]
    const afterGap = [...afterRestart.filter((_, i) => i % 9 !== 4), ...crowd(300, 40_000)]
    for (const side of sides) {
      await side.start(WITH_GROUPS, 500)
      await side.poll(everyone, 1_000)
      await side.poll(churned, 6_000)
      await side.restart(WITH_GROUPS, 8_000)
      await side.poll(afterRestart, 60_000)
      await side.store.recordGap({ from: 65_000, to: 70_000, reason: 'the server did not answer' })
      await side.poll(afterGap, 70_000)
      // The same channels read with another convention: everyone's sessions are read anew.
      await side.restart(WITHOUT_GROUPS, 72_000)
      await side.poll(afterGap, 75_000)
    }
    const got = await streamed.rows()
    const expected = await listed.rows()
    expect(got).toEqual(expected)
    // The history is not trivially empty: each step left its mark.
    expect(expected.sessions.length).toBeGreaterThan(9_000 + 800 + 600 + 300)
    expect(expected.gaps.length).toBeGreaterThanOrEqual(2)
    expect(expected.events.length).toBe(1)
    const notes = new Set(expected.sessions.map((row) => (row as { leave_note: string | null }).leave_note))
    expect(notes).toEqual(new Set([null, 'gap', 'convention']))
    for (const side of sides) await side.store.close()
  }, 120_000)

  it('sorts streamed joins as the history sorts a list (several sorted runs merged)', async () => {
    const names = crowd(10_000, 0)
    const lazy = await new PresenceState(compileConvention(WITH_GROUPS)).ingestChannelList(list(names), 1000, {
      lazyJoins: true,
    })
    const listedResult = await new PresenceState(compileConvention(WITH_GROUPS)).ingestChannelList(list(names), 1000)
    const joined = lazy.joinedMembers
    if (!joined) throw new Error('no lazy joins')
    const sorted: Member[] = [...(await joined.sorted())]
    expect(sorted).toEqual([...(await inIndexOrder(listedResult.joins))])
    expect(sorted).toHaveLength(10_000)
    // Sorting did not disturb the order they joined in.
    expect([...joined]).toEqual(listedResult.joins)
  }, 60_000)
})
