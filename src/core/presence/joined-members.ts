// A snapshot's joins kept as member ids, each made a Member only when read: a first sync of a million
// people hands its joins to the history, the feed and the broadcaster without a million objects alive
// at once (their garbage collection alone would hold the event loop longer than a slice).
import { yieldToEventLoop } from '../event-loop.ts'
import type { MemberStore } from './member-store.ts'
import type { JoinedMembers, Member } from './types.ts'

/** Ids sorted per run before the runs are merged; one run's sort takes a few ms at most. */
const SORT_RUN = 4096

export class JoinedMemberList implements JoinedMembers {
  readonly count: number
  private readonly ids: Int32Array
  private readonly store: MemberStore
  private readonly generation: number
  /** has(): the last room looked up, as callers ask room after room. */
  private lastRoomName: string | null = null
  private lastRoom = -1

  constructor(ids: Int32Array, count: number, store: MemberStore, generation: number) {
    this.ids = ids
    this.count = count
    this.store = store
    this.generation = generation
  }

  *[Symbol.iterator](): Iterator<Member> {
    for (let i = 0; i < this.count; i++) {
      const id = this.ids[i] as number
      if (this.store.joinedIn(id, this.generation)) yield this.store.memberObject(id)
    }
  }

  last(n: number): Member[] {
    const found: Member[] = []
    for (let i = this.count - 1; i >= 0 && found.length < n; i--) {
      const id = this.ids[i] as number
      if (this.store.joinedIn(id, this.generation)) found.push(this.store.memberObject(id))
    }
    return found.reverse()
  }

  has(room: string, group: string | null, user: string): boolean {
    if (room !== this.lastRoomName) {
      this.lastRoomName = room
      this.lastRoom = this.store.findRoom(room)
    }
    if (this.lastRoom < 0) return false
    const id = this.store.findMember(this.lastRoom, user)
    return id >= 0 && this.store.joinedIn(id, this.generation) && (this.store.groupOf(id) ?? '') === (group ?? '')
  }

  async sorted(): Promise<Iterable<Member>> {
    const ids = this.ids.slice(0, this.count)
    const store = this.store
    const compare = (a: number, b: number): number => store.compareByRoomUserGroup(a, b)
    const runs: Int32Array[] = []
    for (let start = 0; start < ids.length; start += SORT_RUN) {
      // Each run in a turn of its own: the caller may have held the loop a while already.
      if (ids.length > SORT_RUN) await yieldToEventLoop()
      const run = ids.subarray(start, Math.min(ids.length, start + SORT_RUN))
      run.sort(compare)
      runs.push(run)
    }
    return this.readMerged(runs, compare)
  }

  /** k-way merge of sorted runs of ids (a binary min-heap of run cursors), made Members as read. */
  private *readMerged(runs: Int32Array[], compare: (a: number, b: number) => number): Generator<Member> {
    const heapRuns = runs.filter((run) => run.length > 0)
    const positions = new Int32Array(heapRuns.length)
    const head = (i: number): number => (heapRuns[i] as Int32Array)[positions[i] as number] as number
    const less = (i: number, j: number): boolean => compare(head(i), head(j)) < 0
    const swap = (i: number, j: number): void => {
      const run = heapRuns[i] as Int32Array
      heapRuns[i] = heapRuns[j] as Int32Array
      heapRuns[j] = run
      const position = positions[i] as number
      positions[i] = positions[j] as number
      positions[j] = position
    }
    let size = heapRuns.length
    const down = (start: number): void => {
      let i = start
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < size && less(left, smallest)) smallest = left
        if (right < size && less(right, smallest)) smallest = right
        if (smallest === i) return
        swap(i, smallest)
        i = smallest
      }
    }
    for (let i = Math.floor(size / 2) - 1; i >= 0; i--) down(i)
    while (size > 0) {
      const id = head(0)
      if (this.store.joinedIn(id, this.generation)) yield this.store.memberObject(id)
      positions[0] = (positions[0] as number) + 1
      if ((positions[0] as number) >= (heapRuns[0] as Int32Array).length) {
        size--
        if (size === 0) return
        swap(0, size)
      }
      down(0)
    }
  }
}
