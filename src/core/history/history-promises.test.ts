// The rules of DESIGN §5a as the history store keeps them: Headcount's own interruptions are gaps
// with a cause, never leaves and joins; a convention change is an event; nothing is made up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Member, RoomSummary } from '../presence/types.ts'
import { HistoryStore } from './history-store.ts'
import { MIGRATIONS } from './schema.ts'
import { memberKey, type OpenSessionStart } from './session-reader.ts'
import type { HistorySetup, HistoryTick, Session } from './types.ts'

let dir: string
let path: string
const open: HistoryStore[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-promises-'))
  path = join(dir, 'history.sqlite')
})
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

function openStore(options: Parameters<typeof HistoryStore.open>[1] = {}): HistoryStore {
  const store = HistoryStore.open(path, options)
  open.push(store)
  return store
}

const member = (room: string, user: string, group: string | null = null): Member => ({ room, user, group })

/** A tick over these members: rooms and counts follow from them. */
function tick(at: number, present: Member[], change: Partial<HistoryTick> = {}): HistoryTick {
  const rooms = new Map<string, RoomSummary>()
  for (const one of present) {
    const summary = rooms.get(one.room) ?? { room: one.room, count: 0, groups: {} }
    summary.count++
    if (one.group) summary.groups[one.group] = (summary.groups[one.group] ?? 0) + 1
    rooms.set(one.room, summary)
  }
  return {
    at,
    rooms: [...rooms.values()],
    joins: [],
    leaves: [],
    total: present.length,
    channels: present.length,
    unmatched: 0,
    ...change,
  }
}

/** The first sync of a fresh presence state: everyone present listed as joining. */
function freshReading(at: number, present: Member[]): HistoryTick {
  return tick(at, present, { joins: present, baseline: true })
}

function sessionsOf(store: HistoryStore): Omit<Session, 'id' | 'room'>[] {
  return [...store.iterateSessions()].map(({ id: _id, room: _room, ...rest }) => rest)
}

const SETUP: HistorySetup = {
  convention: { kind: 'template', template: 'private-{room}-{user}' },
  syncMode: 'poll',
  broadcasting: false,
}

const ann = member('a', 'ann')
const ben = member('a', 'ben')
const cat = member('a', 'cat')

describe('history: Headcount stopping is a gap, not leaves and joins', () => {
  it('keeps sessions open through a stop; the next reading continues those still there', async () => {
    const store = openStore()
    await store.recordTick(freshReading(1_000, [ann, ben]))
    await store.recordTick(tick(6_000, [ann, ben]))
    await store.recordSyncStopped(8_000, 'disconnected', 'Disconnected in Headcount')
    expect(store.openSessionCount()).toBe(2)
    // ben left while nobody watched, cat came.
    await store.recordTick(freshReading(60_000, [ann, cat]))

    expect(sessionsOf(store)).toEqual([
      { user: 'ann', group: null, joined: 1_000, left: null, joinNote: 'resumed', leaveNote: null },
      // Closed when last seen, marked: the leave happened sometime in the gap.
      { user: 'ben', group: null, joined: 1_000, left: 6_000, joinNote: 'resumed', leaveNote: 'gap' },
      { user: 'cat', group: null, joined: 60_000, left: null, joinNote: 'resumed', leaveNote: null },
    ])
    expect(store.gaps(0, 100_000)).toEqual([
      { from: 8_000, to: 60_000, cause: 'disconnected', reason: 'Not watching this app: Disconnected in Headcount' },
    ])
    expect(store.querySeries({ rooms: ['a'], from: 0, to: 100_000, points: 100 })[0]?.points).toEqual([
      { t: 1_000, value: 2 },
      { t: 8_000, value: null },
      { t: 60_000, value: 2 },
    ])
  })

  it('keeps the stop across a restart: as many sessions as people, and the gap says Headcount stopped', async () => {
    const crowd = Array.from({ length: 200 }, (_, i) => member(`r${i % 4}`, `u${i}`))
    const first = openStore()
    await first.recordTick(freshReading(1_000, crowd))
    await first.recordSyncStopped(3_000, 'stopped', 'Headcount stopped')
    await first.close()

    const second = openStore()
    await second.recordTick(freshReading(7_000, crowd))
    expect(second.countSessions()).toBe(200)
    expect(second.openSessionCount()).toBe(200)
    expect(second.gaps(0, 10_000)).toEqual([{ from: 3_000, to: 7_000, cause: 'stopped', reason: 'Headcount stopped' }])
  })

  it('after a crash, keeps sessions open and names the downtime as such', async () => {
    const first = openStore()
    await first.recordTick(freshReading(1_000, [ann, ben]))
    // No stop: the process died. (The file is closed only so the next open can read it here.)
    await first.close()
    const second = openStore()
    await second.recordTick(freshReading(90_000, [ann]))
    expect(sessionsOf(second).map((session) => [session.user, session.left, session.leaveNote])).toEqual([
      ['ann', null, null],
      ['ben', 1_000, 'gap'],
    ])
    expect(second.gaps(0, 100_000)).toMatchObject([{ from: 1_001, to: 90_000, cause: 'crashed' }])
  })

  it('marks the changes found after failed syncs as happening during the gap', async () => {
    const store = openStore()
    await store.recordTick(freshReading(1_000, [ann, ben]))
    await store.recordTick(tick(5_000, [ann, ben]))
    await store.recordGap({ from: 10_000, to: 40_000, reason: 'Timed out' })
    await store.recordTick(tick(40_000, [ann, cat], { joins: [cat], leaves: [ben] }))
    await store.recordTick(tick(45_000, [ann], { leaves: [cat] }))
    expect(
      sessionsOf(store).map((session) => [
        session.user,
        session.joined,
        session.left,
        session.joinNote,
        session.leaveNote,
      ]),
    ).toEqual([
      ['ann', 1_000, null, 'resumed', null],
      ['ben', 1_000, 5_000, 'resumed', 'gap'],
      // After the gap, changes are seen as they happen again.
      ['cat', 40_000, 45_000, 'resumed', null],
    ])
  })

  it('ends a stop where a failing sync takes over, each gap with its own cause', async () => {
    const store = openStore()
    await store.recordTick(freshReading(1_000, [ann]))
    await store.recordSyncStopped(2_000, 'stopped', 'Headcount stopped')
    await store.recordGap({ from: 30_000, to: 50_000, reason: 'The server answered 503' })
    await store.recordTick(freshReading(50_000, [ann]))
    expect(store.gaps(0, 60_000)).toEqual([
      { from: 2_000, to: 30_000, cause: 'stopped', reason: 'Headcount stopped' },
      { from: 30_000, to: 50_000, cause: 'sync-failed', reason: 'Sync failed: The server answered 503' },
    ])
    expect(store.annotations(0, 60_000).spans.map((span) => [span.label, span.from, span.to])).toEqual([
      ['Headcount stopped', 2_000, 30_000],
      ['Sync failed', 30_000, 50_000],
    ])
  })

  it('gives the event loop a turn every few open sessions while a fresh reading goes over them', async () => {
    // With no budget, a chunk is the 32 steps between two looks at the clock: a step must be one session,
    // not a page of them (32 pages of 500 sessions held the loop for 40-60 ms at a million).
    const store = openStore({ chunkBudgetMs: 0 })
    const crowd = Array.from({ length: 3_200 }, (_, i) => member('a', `u${i}`))
    await store.recordTick(freshReading(1_000, crowd))
    await store.recordSyncStopped(2_000, 'stopped')
    let turns = 0
    let counting = true
    const count = () => {
      if (!counting) return
      turns++
      setImmediate(count)
    }
    setImmediate(count)
    // Everyone gone: the pass ends 3,200 sessions and nothing else is written.
    await store.recordTick(freshReading(9_000, []))
    counting = false
    expect(store.openSessionCount()).toBe(0)
    expect(turns).toBeGreaterThanOrEqual(3_200 / 32)
  })

  it('undoes a fresh reading that fails part-way: the sessions it ended are open again', async () => {
    const store = openStore({ chunkBudgetMs: 0 })
    const crowd = Array.from({ length: 3_000 }, (_, i) => member('a', `u${i}`))
    await store.recordTick(freshReading(1_000, crowd))
    await store.recordSyncStopped(2_000, 'stopped')
    // Half of them gone; the tick's last write fails after many chunks committed.
    const bad = { ...freshReading(9_000, crowd.slice(0, 1_500)), total: null as unknown as number }
    await expect(store.recordTick(bad)).rejects.toThrow()
    expect(store.openSessionCount()).toBe(3_000)
    await store.recordTick(freshReading(10_000, crowd.slice(0, 1_500)))
    expect(store.openSessionCount()).toBe(1_500)
    expect(store.countSessions()).toBe(3_000)
    expect(store.gaps(0, 20_000)).toEqual([{ from: 2_000, to: 10_000, cause: 'stopped', reason: 'Headcount stopped' }])
  })
})

describe('history: a naming-convention change is an event, not a crowd', () => {
  it('continues the sessions read the same, and ends and begins the others with that cause', async () => {
    const store = openStore()
    await store.recordSetup(500, SETUP)
    // Under private-{room}-{user}, "private-a-red-max" was user "red-max"; ann has no group.
    await store.recordTick(freshReading(1_000, [ann, member('a', 'red-max')]))
    await store.recordSyncStopped(2_000, 'convention', 'Channels are read again with private-{room}-{group}-{user}')
    await store.recordSetup(2_100, {
      ...SETUP,
      convention: { kind: 'template', template: 'private-{room}-{group}-{user}' },
    })
    await store.recordTick(freshReading(3_000, [ann, member('a', 'max', 'red')]))

    expect(
      sessionsOf(store).map((session) => [
        session.user,
        session.group,
        session.joined,
        session.left,
        session.joinNote,
        session.leaveNote,
      ]),
    ).toEqual([
      ['ann', null, 1_000, null, 'resumed', null],
      ['red-max', null, 1_000, 1_000, 'resumed', 'convention'],
      ['max', 'red', 3_000, null, 'convention', null],
    ])
    expect(store.events(0, 10_000)).toEqual([
      {
        at: 2_100,
        kind: 'convention',
        label: 'Naming convention changed',
        detail: 'private-{room}-{user} → private-{room}-{group}-{user}',
      },
    ])
    expect(store.annotations(0, 10_000)).toEqual({
      spans: [
        {
          from: 2_000,
          to: 3_000,
          kind: 'gap',
          label: 'Naming convention changed',
          detail: 'Naming convention changed: Channels are read again with private-{room}-{group}-{user}',
        },
      ],
      instants: [
        {
          t: 2_100,
          kind: 'convention',
          label: 'Naming convention changed',
          detail: 'private-{room}-{user} → private-{room}-{group}-{user}',
        },
      ],
    })
  })

  it('records sync mode and broadcasting changes as events, and nothing when the setup is the same', async () => {
    const store = openStore()
    await store.recordSetup(1_000, SETUP)
    await store.recordSetup(2_000, SETUP)
    await store.recordSetup(3_000, { ...SETUP, syncMode: 'hybrid' })
    await store.recordSetup(4_000, { ...SETUP, syncMode: 'hybrid', broadcasting: true })
    await store.recordSetup(5_000, { ...SETUP, syncMode: 'hybrid', broadcasting: false })
    expect(store.events(0, 10_000).map((event) => [event.at, event.kind, event.label, event.detail])).toEqual([
      [3_000, 'sync-mode', 'Sync mode changed', 'poll → hybrid'],
      [4_000, 'broadcast', 'Broadcasting on', ''],
      [5_000, 'broadcast', 'Broadcasting off', ''],
    ])
  })
})

describe('history: what it knows of each member and group', () => {
  it('says when open sessions began and whether that is when they joined', async () => {
    const store = openStore()
    await store.recordTick(freshReading(1_000, [ann]))
    await store.recordTick(tick(2_000, [ann, ben], { joins: [ben] }))
    const starts = store.openSessionStarts('a', [ann, ben, cat])
    expect(starts.get(memberKey('ann', null))).toEqual({ joined: 1_000, joinNote: 'resumed' })
    expect(starts.get(memberKey('ben', null))).toEqual({ joined: 2_000, joinNote: null })
    expect(starts.has(memberKey('cat', null))).toBe(false)
  })

  it('pages through the open sessions in index order, for an engine learning when people joined', async () => {
    const store = openStore()
    const zed = member('b', 'zed', 'red')
    await store.recordTick(freshReading(1_000, [ann, zed]))
    await store.recordTick(tick(2_000, [ann, ben, zed], { joins: [ben] }))
    await store.recordTick(tick(3_000, [ann, ben, cat], { joins: [cat], leaves: [zed] }))
    const seen = (page: OpenSessionStart[]) => page.map(([, room, user, , joined]) => `${room}/${user}@${joined}`)
    // zed's session is closed; each page starts after the last row of the one before.
    const first = store.openSessionsPage(null, 2)
    expect(seen(first)).toEqual(['a/ann@1000', 'a/ben@2000'])
    const second = store.openSessionsPage(first.at(-1) ?? null, 2)
    expect(seen(second)).toEqual(['a/cat@3000'])
    expect(store.openSessionsPage(second.at(-1) ?? null, 2)).toEqual([])
  })

  it('knows when each group of a room first appeared', async () => {
    const store = openStore()
    await store.recordTick(tick(1_000, [ann]))
    await store.recordTick(tick(2_000, [ann, member('a', 'max', 'red')]))
    await store.recordTick(tick(3_000, [ann, member('a', 'max', 'red'), member('a', 'kim', 'blue')]))
    expect(Object.fromEntries(store.groupsFirstSeen('a'))).toEqual({ red: 2_000, blue: 3_000 })
  })
})

describe('history: a file from before this version', () => {
  it('opens, reads as it did, and knows its downtime only as "not recording"', async () => {
    // A version-1 history, as the previous Headcount wrote it.
    const db = new DatabaseSync(path)
    db.exec('PRAGMA application_id = 1212378740')
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
    db.exec(MIGRATIONS[0]?.sql as string)
    db.exec(`
      INSERT INTO schema_migrations VALUES (1, 0);
      INSERT INTO rooms (id, name) VALUES (1, 'a');
      INSERT INTO room_groups VALUES (1, 'red');
      INSERT INTO samples VALUES (1, 1000, 2, '{}'), (1, 5000, 3, '{"red":1}');
      INSERT INTO ticks VALUES (1000, 2, 2, 0, 1), (5000, 3, 3, 0, 1);
      INSERT INTO gaps (from_t, to_t, reason) VALUES (2000, 3000, 'Timed out'), (3000, 4000, 'Headcount was not recording');
      INSERT INTO sessions (room_id, user, grp, joined, left) VALUES (1, 'ann', '', 1000, NULL), (1, 'ben', '', 1000, 5000), (1, 'max', 'red', 5000, NULL);
      INSERT INTO meta VALUES ('committed_session_id', '3');
    `)
    db.close()

    const store = openStore()
    expect(store.querySeries({ rooms: ['a'], from: 0, to: 6_000, points: 100 })[0]?.points).toEqual([
      { t: 1_000, value: 2 },
      { t: 2_000, value: null },
      { t: 4_000, value: 2 },
      { t: 5_000, value: 3 },
    ])
    expect(store.gaps(0, 6_000)).toEqual([
      { from: 2_000, to: 3_000, cause: 'sync-failed', reason: 'Sync failed: Timed out' },
      { from: 3_000, to: 4_000, cause: 'not-recording', reason: 'Headcount was not recording' },
    ])
    expect(Object.fromEntries(store.groupsFirstSeen('a'))).toEqual({ red: 5_000 })
    expect(sessionsOf(store).map((session) => [session.user, session.left, session.joinNote])).toEqual([
      ['ann', null, null],
      ['ben', 5_000, null],
      ['max', null, null],
    ])
    // Its last run's end is a gap of unknown cause, closed by the first tick of this one.
    await store.recordTick(freshReading(20_000, [ann, member('a', 'max', 'red')]))
    expect(store.gaps(5_000, 30_000)).toEqual([
      { from: 5_001, to: 20_000, cause: 'not-recording', reason: 'Headcount was not recording' },
    ])
    expect(store.openSessionCount()).toBe(2)
    expect(store.countSessions()).toBe(3)
  })
})
