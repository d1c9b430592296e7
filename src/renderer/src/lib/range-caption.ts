import { formatDuration } from './format.ts'
import type { TimeFormat } from './time-format.ts'
import { PRESET_LABELS, type TimeRange } from './time-range.ts'

/** Below this span a window's ends are given to the second: "07:44 → 07:44" says nothing about 40 s. */
const SECONDS_BELOW_MS = 2 * 3_600_000

/**
 * What a chart's range covers, in words and in the chosen time zone: "Last 1 h, live", or a fixed
 * window's ends and length, to the second when it is short ("2026-03-04 07:44:10 → 07:44:50, 40 s"),
 * the date once when both ends share it.
 */
export function rangeCaption(range: TimeRange, time: TimeFormat): string {
  if (range.kind === 'preset') return `Last ${PRESET_LABELS[range.preset]}, live`
  const { from, to } = range
  const span = to - from
  const seconds = span < SECONDS_BELOW_MS
  const fromText = time.dateTime(from, { seconds })
  const toText = time.dateTime(to, { seconds })
  const sameDay = fromText.slice(0, 10) === toText.slice(0, 10)
  return `${fromText} → ${sameDay ? toText.slice(11) : toText}, ${formatDuration(span)}`
}
