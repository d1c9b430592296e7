import { formatCompact } from '../../lib/format.ts'
import type { ChartScale } from '../../store/slices/ui-slice.ts'

export const SCALE_LABELS: Record<ChartScale, string> = { linear: 'Linear', log: 'Log', share: 'Share of all' }

/**
 * A vertical axis: values are drawn at `transform(value)` on a linear axis from 0 to `top`, and the
 * ticks sit at round values (1, 2 or 5 × 10^k apart, or powers of ten on the log scale).
 */
export interface YScale {
  kind: ChartScale
  /** The axis top, in transformed units. */
  top: number
  ticks: { at: number; label: string }[]
  transform(value: number): number
}

/** The smallest step of 1, 2 or 5 × 10^k that is at least `raw` (whole numbers only when `integer`). */
export function roundStep(raw: number, integer: boolean): number {
  if (!(raw > 0)) return 1
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  for (const factor of [1, 2, 5, 10]) {
    const step = clean(factor * magnitude)
    if (step >= raw) return integer ? Math.max(1, Math.round(step)) : step
  }
  return clean(10 * magnitude)
}

/**
 * Round ticks from 0 to the first multiple of the step at or above `max`, at most `maxIntervals`
 * steps. Counts start at an axis of 4 people, shares at 1 %, so an empty chart still reads sensibly.
 */
export function linearTicks(max: number, maxIntervals: number, integer: boolean): number[] {
  const wanted = Math.max(max, integer ? 4 : 0.01)
  const step = roundStep(wanted / Math.max(1, maxIntervals), integer)
  const intervals = Math.ceil(wanted / step - 1e-9)
  return Array.from({ length: intervals + 1 }, (_, index) => clean(index * step))
}

/**
 * Log-scale ticks for counts, drawn at log10(1 + value) so that 0 sits on the axis: 0, then powers
 * of ten up to a round top (1, 2 or 5 × 10^k) above `max`; with few decades, 2s and 5s fill in.
 */
export function logTicks(max: number): number[] {
  const top = Math.max(10, roundStep(Math.max(1, max), true))
  const decades = Math.log10(top)
  const values = [0]
  for (let power = 1; power <= top; power *= 10) {
    values.push(power)
    if (decades <= 2.5) for (const factor of [2, 5]) if (power * factor < top) values.push(power * factor)
  }
  if (values.at(-1) !== top && !values.includes(top)) values.push(top)
  return values.sort((a, b) => a - b)
}

/** The axis for a scale and the largest value it must show (a share for `share`, else a count). */
export function yScaleFor(kind: ChartScale, max: number, maxIntervals = 5): YScale {
  if (kind === 'log') {
    const transform = (value: number) => Math.log10(1 + Math.max(0, value))
    const ticks = logTicks(max)
    return {
      kind,
      top: transform(ticks.at(-1) as number),
      ticks: ticks.map((value) => ({ at: transform(value), label: formatCompact(value) })),
      transform,
    }
  }
  if (kind === 'share') {
    const ticks = linearTicks(Math.min(1, max), maxIntervals, false)
    const decimals = Math.max(0, -Math.floor(Math.log10((ticks[1] ?? 1) * 100) + 1e-9))
    return {
      kind,
      top: ticks.at(-1) as number,
      ticks: ticks.map((value) => ({ at: value, label: value === 0 ? '0%' : `${(value * 100).toFixed(decimals)}%` })),
      transform: (value) => value,
    }
  }
  const ticks = linearTicks(max, maxIntervals, true)
  return {
    kind,
    top: ticks.at(-1) as number,
    ticks: ticks.map((value) => ({ at: value, label: formatCompact(value) })),
    transform: (value) => value,
  }
}

/** Drops the float noise of 0.1 + 0.2 from tick values. */
function clean(value: number): number {
  return Number(value.toPrecision(12))
}
