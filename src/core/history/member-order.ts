import type { Member } from '../presence/types.ts'
import { yieldToEventLoop } from '../event-loop.ts'

const SLICE = 10_000

export function compareMembers(a: Member, b: Member): number {
  if (a.room !== b.room) return a.room < b.room ? -1 : 1
  if (a.user !== b.user) return a.user < b.user ? -1 : 1
  const ga = a.group ?? ''
  const gb = b.group ?? ''
  return ga === gb ? 0 : ga < gb ? -1 : 1
}

/**
 * Members in (room, user, group) order, the order of the open-sessions index. Writing a million
 * joins in index order touches each index page once instead of at random, which is the difference
 * between seconds and tens of seconds (and between small and huge commits). Sorted in slices with
 * yields between them, then merged lazily, so the sort never holds the event loop for long.
 */
export async function inIndexOrder(members: readonly Member[]): Promise<Iterable<Member>> {
  if (members.length <= SLICE) return [...members].sort(compareMembers)
  const runs: Member[][] = []
  for (let start = 0; start < members.length; start += SLICE) {
    runs.push(members.slice(start, start + SLICE).sort(compareMembers))
    await yieldToEventLoop()
  }
  return mergeRuns(runs)
}

/** k-way merge of sorted runs through a binary min-heap of run cursors. */
function* mergeRuns(runs: Member[][]): Generator<Member> {
  const heap: { run: Member[]; at: number }[] = runs.filter((run) => run.length > 0).map((run) => ({ run, at: 0 }))
  const head = (i: number) => {
    const cursor = heap[i] as { run: Member[]; at: number }
    return cursor.run[cursor.at] as Member
  }
  const less = (i: number, j: number) => compareMembers(head(i), head(j)) < 0
  const swap = (i: number, j: number) => {
    const t = heap[i] as { run: Member[]; at: number }
    heap[i] = heap[j] as { run: Member[]; at: number }
    heap[j] = t
  }
  const down = (start: number) => {
    let i = start
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(l, m)) m = l
      if (r < heap.length && less(r, m)) m = r
      if (m === i) return
      swap(i, m)
      i = m
    }
  }
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i -= 1) down(i)
  while (heap.length > 0) {
    yield head(0)
    const top = heap[0] as { run: Member[]; at: number }
    top.at += 1
    if (top.at >= top.run.length) {
      const last = heap.pop() as { run: Member[]; at: number }
      if (heap.length === 0) return
      heap[0] = last
    }
    down(0)
  }
}
