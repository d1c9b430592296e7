import type { Step } from './steps.ts'

/** What a step function did during one bucket of time. */
export interface Bucket {
  index: number
  /** Bucket bounds, clipped to the range asked for. */
  start: number
  end: number
  /** ms with a known value. */
  covered: number
  /** ms inside gaps. */
  gap: number
  gapReason: string | null
  lo: number
  loT: number
  hi: number
  hiT: number
  hiGroups: string | undefined
  /** Sum of value × ms over the covered time (for a time-weighted mean). */
  weighted: number
  /** The last known value in the bucket, and whether the bucket ends with it (not in a gap). */
  last: number | null
  lastGroups: string | undefined
  endsKnown: boolean
  /** Value steps that begin inside the bucket (0: the bucket only carries a value from before). */
  changes: number
}

export interface BucketGrid {
  from: number
  to: number
  /** Buckets are [origin + k·width, origin + (k+1)·width), clipped to [from, to). */
  origin: number
  width: number
}

function emptyBucket(grid: BucketGrid, index: number): Bucket {
  const start = Math.max(grid.from, grid.origin + index * grid.width)
  const end = Math.min(grid.to, grid.origin + (index + 1) * grid.width)
  return {
    index,
    start,
    end,
    covered: 0,
    gap: 0,
    gapReason: null,
    lo: Infinity,
    loT: start,
    hi: -Infinity,
    hiT: start,
    hiGroups: undefined,
    weighted: 0,
    last: null,
    lastGroups: undefined,
    endsKnown: false,
    changes: 0,
  }
}

/**
 * Walks steps (sorted by time, inside [from, to)) across a grid of buckets and yields every bucket
 * that holds a value or a gap; stretches with no data at all yield nothing. Lazy, so it streams.
 */
export function* bucketize(steps: Iterable<Step>, grid: BucketGrid): Generator<Bucket> {
  const { from, to, origin, width } = grid
  const iterator = steps[Symbol.iterator]()
  let step = iterator.next()
  let bucket: Bucket | null = null
  while (!step.done) {
    const current = step.value
    step = iterator.next()
    const stepEnd = Math.min(step.done ? to : step.value.t, to)
    let at = Math.max(current.t, from)
    while (at < stepEnd) {
      if (!bucket || at >= bucket.end) {
        if (bucket && (bucket.covered > 0 || bucket.gap > 0)) yield bucket
        let index = Math.max(bucket ? bucket.index + 1 : 0, Math.floor((at - origin) / width))
        // Floating-point bucket widths: step the index until `at` really falls inside.
        while (index > 0 && origin + index * width > at) index -= 1
        while (origin + (index + 1) * width <= at) index += 1
        bucket = emptyBucket(grid, index)
      }
      const pieceEnd = Math.min(stepEnd, bucket.end)
      accumulate(bucket, current, at, pieceEnd)
      at = pieceEnd
    }
  }
  if (bucket && (bucket.covered > 0 || bucket.gap > 0)) yield bucket
}

function accumulate(bucket: Bucket, step: Step, from: number, to: number): void {
  const span = to - from
  if (step.kind === 'gap') {
    bucket.gap += span
    bucket.gapReason ??= step.reason
    bucket.endsKnown = false
    return
  }
  if (step.kind === 'unknown') {
    bucket.endsKnown = false
    return
  }
  bucket.covered += span
  bucket.weighted += step.mean * span
  // A roll-up minute's spread is placed at its start; the rest of it counts as its last value, so a
  // minute that spans several buckets shows its peak once rather than in each of them.
  const head = from === step.t
  const lo = head ? step.lo : step.value
  const hi = head ? step.hi : step.value
  if (lo < bucket.lo) {
    bucket.lo = lo
    bucket.loT = from
  }
  if (hi > bucket.hi) {
    bucket.hi = hi
    bucket.hiT = from
    bucket.hiGroups = step.groups
  }
  bucket.last = step.value
  bucket.lastGroups = step.groups
  bucket.endsKnown = true
  if (from === step.t && !step.carried) bucket.changes += 1
}

/** A bucket is shown as a gap when gaps cover at least half of it. */
export function isMostlyGap(bucket: Bucket): boolean {
  return bucket.gap * 2 >= bucket.end - bucket.start
}
