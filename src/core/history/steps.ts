import { GAP_CAUSE_TITLES, type GapCause } from '../../shared/history.ts'

/**
 * Occupancy as a step function: a room's count holds from one stored change to the next. Every
 * reader (chart queries, roll-ups, CSV export) walks the same sequence of steps, so they agree on
 * what the value was at any instant, and on where the gaps are.
 */

export const MINUTE_MS = 60_000

/** From `t` until the next step's `t`, the count was `value` (for a roll-up minute: between `lo` and `hi`, averaging `mean`, ending at `value`). */
export interface ValueStep {
  kind: 'value'
  t: number
  value: number
  lo: number
  hi: number
  mean: number
  /** Per-group counts as stored (JSON), when the reader asked for them. */
  groups?: string
  /** Set on the first step when it only carries in a value from before the range (not a change). */
  carried?: boolean
}

/** From `t`, nothing is known because polling failed or Headcount was not running: a gap, never a zero. */
export interface GapStep {
  kind: 'gap'
  t: number
  /** The cause in words (see gapWords). */
  reason: string
  cause: GapCause
}

/** From `t`, no data at all (before the first sample, or older than retention). */
export interface UnknownStep {
  kind: 'unknown'
  t: number
}

export type Step = ValueStep | GapStep | UnknownStep

export interface SampleRow {
  t: number
  count: number
  groups?: string
}

export interface RollupRow {
  minute: number
  min: number
  max: number
  avg: number
  last: number
  groups?: string
}

export interface GapRow {
  from: number
  to: number
  /** The whole sentence: the cause's title and what the gap's own words add (see gapWords). */
  reason: string
  cause: GapCause
}

/** A gap's words as exports and tooltips show them: the cause's title, then the gap's own words if they add any. */
export function gapWords(cause: GapCause, detail: string): string {
  const title = GAP_CAUSE_TITLES[cause]
  if (!detail || detail === title) return title
  return `${title}: ${detail}`
}

export function constantStep(t: number, value: number, groups?: string): ValueStep {
  return { kind: 'value', t, value, lo: value, hi: value, mean: value, groups }
}

/** Steps of raw samples over [from, to): `before` is the latest sample at or before `from`; `samples` lie in (from, to). */
export function* sampleSteps(
  before: SampleRow | undefined,
  samples: Iterable<SampleRow>,
  from: number,
): Generator<ValueStep> {
  if (before) yield { ...constantStep(from, before.count, before.groups), carried: before.t < from }
  for (const sample of samples) yield constantStep(sample.t, sample.count, sample.groups)
}

/**
 * Steps of 1-minute roll-ups over [from, to): each row is a minute with its min, max and mean, after
 * which the count holds at the minute's last value until the next row (rows exist only for minutes
 * in which the count changed). `before` is the latest row whose minute starts at or before `from`.
 */
export function* rollupSteps(
  before: RollupRow | undefined,
  rows: Iterable<RollupRow>,
  from: number,
  to: number,
): Generator<ValueStep> {
  let held: RollupRow | undefined
  if (before) {
    if (from < before.minute + MINUTE_MS) yield { ...minuteStep(from, before), carried: before.minute < from }
    else yield { ...constantStep(from, before.last, before.groups), carried: true }
    held = before
  }
  for (const row of rows) {
    if (held && held.minute + MINUTE_MS > from && held.minute + MINUTE_MS < row.minute)
      yield constantStep(held.minute + MINUTE_MS, held.last, held.groups)
    yield minuteStep(row.minute, row)
    held = row
  }
  if (held && held.minute + MINUTE_MS > from && held.minute + MINUTE_MS < to)
    yield constantStep(held.minute + MINUTE_MS, held.last, held.groups)
}

function minuteStep(t: number, row: RollupRow): ValueStep {
  return { kind: 'value', t, value: row.last, lo: row.min, hi: row.max, mean: row.avg, groups: row.groups }
}

/**
 * Sorts gaps, clips them to [from, to) and merges the ones of one cause that overlap or touch. Gaps of
 * different causes stay apart, each with its words: where two overlap, the one that began later owns
 * the overlap (it is the more recent news: a sync that failed while Headcount was restarting).
 */
export function mergeGaps(gaps: Iterable<GapRow>, from: number, to: number): GapRow[] {
  const sorted = [...gaps]
    .map((gap) => ({ ...gap, from: Math.max(gap.from, from), to: Math.min(gap.to, to) }))
    .filter((gap) => gap.from < gap.to)
    .sort((a, b) => a.from - b.from)
  const merged: GapRow[] = []
  for (const gap of sorted) {
    const last = merged.at(-1)
    if (last && gap.from <= last.to && gap.reason === last.reason && gap.cause === last.cause) {
      last.to = Math.max(last.to, gap.to)
      continue
    }
    if (last && gap.from < last.to) {
      // The later gap takes over from its start; the earlier one resumes after it if it lasts longer.
      const rest = last.to > gap.to ? { ...last, from: gap.to } : null
      last.to = gap.from
      if (last.from >= last.to) merged.pop()
      merged.push({ ...gap })
      if (rest) merged.push(rest)
      continue
    }
    merged.push({ ...gap })
  }
  return merged
}

/**
 * Lays merged, clipped gaps over data steps: inside a gap the value is unknown whatever was stored,
 * and when the gap ends the count resumes at the value in effect then.
 */
export function* withGaps(steps: Iterable<Step>, gaps: readonly GapRow[]): Generator<Step> {
  const iterator = steps[Symbol.iterator]()
  let next = iterator.next()
  let current: Step | undefined
  for (let index = 0; index < gaps.length; index++) {
    const gap = gaps[index] as GapRow
    while (!next.done && next.value.t < gap.from) {
      current = next.value
      yield next.value
      next = iterator.next()
    }
    yield { kind: 'gap', t: gap.from, reason: gap.reason, cause: gap.cause }
    while (!next.done && next.value.t < gap.to) {
      current = next.value
      next = iterator.next()
    }
    // Another gap follows at once: nothing is known in between.
    if (gaps[index + 1]?.from === gap.to) continue
    if (!next.done && next.value.t === gap.to) continue
    if (current?.kind === 'value') yield constantStep(gap.to, current.value, current.groups)
    else yield { kind: 'unknown', t: gap.to }
  }
  while (!next.done) {
    yield next.value
    next = iterator.next()
  }
}

/** Drops steps that change nothing (same value and groups as the step before, or a gap after a gap of the same cause). */
export function* withoutRepeats(steps: Iterable<Step>): Generator<Step> {
  let previous: Step | undefined
  for (const step of steps) {
    if (previous && sameStep(previous, step)) continue
    previous = step
    yield step
  }
}

function sameStep(a: Step, b: Step): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind === 'value' && b.kind === 'value') {
    // A roll-up minute (lo/hi spread) is news even when it ends where the previous one ended.
    return b.lo === b.hi && a.lo === a.hi && a.value === b.value && a.groups === b.groups
  }
  // A gap right after another is news when its cause differs.
  if (a.kind === 'gap' && b.kind === 'gap') return a.reason === b.reason
  return true
}

/** Stored group counts (a JSON object written by the store itself); anything else reads as none. */
export function parseGroups(json: string | null | undefined): Record<string, number> {
  if (!json) return {}
  try {
    const parsed: unknown = JSON.parse(json)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {}
    const groups: Record<string, number> = {}
    for (const [name, count] of Object.entries(parsed)) if (typeof count === 'number') groups[name] = count
    return groups
  } catch {
    return {}
  }
}
