import { memo } from 'react'
import { formatCount } from '../../lib/format.ts'

const WIDTH = 96
const HEIGHT = 22

/**
 * A trend fetched from the history (it ends when it was fetched, up to half a minute ago) ending on the
 * count known now instead, so the line and its caption end where the row's live figure is.
 */
export function endingOnLive(
  values: readonly (number | null)[] | undefined,
  live: number,
): readonly (number | null)[] | undefined {
  if (!values || values.length === 0 || values.at(-1) === live) return values
  return [...values.slice(0, -1), live]
}

/** A room's recent trend as a tiny SVG line; gaps break the line. One point per 2 px at most. */
export const Sparkline = memo(function Sparkline({
  values,
  label,
}: {
  values: readonly (number | null)[] | undefined
  label: string
}) {
  if (!values || values.length < 2)
    return <svg className="sparkline" width={WIDTH} height={HEIGHT} role="img" aria-label={`${label}: no trend yet`} />
  let max = 1
  let low = Infinity
  let high = -Infinity
  for (const value of values) {
    if (value === null) continue
    if (value > max) max = value
    low = Math.min(low, value)
    high = Math.max(high, value)
  }
  const step = WIDTH / (values.length - 1)
  const segments: string[] = []
  let current = ''
  values.forEach((value, index) => {
    if (value === null) {
      if (current) segments.push(current)
      current = ''
      return
    }
    const x = (index * step).toFixed(1)
    const y = (HEIGHT - 2 - (value / max) * (HEIGHT - 4)).toFixed(1)
    current += `${current ? ' L' : 'M'}${x} ${y}`
  })
  if (current) segments.push(current)
  const first = values.find((value) => value !== null) ?? null
  const last = values.findLast((value) => value !== null) ?? null
  const direction = first === null || last === null || first === last ? 'flat' : last > first ? 'rising' : 'falling'
  return (
    <svg
      className={`sparkline trend-${direction}`}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`${label}: ${direction} over 15 minutes`}
    >
      {/* The values behind the line, on hover: where it started and ended, its low and its high. */}
      {first !== null && last !== null && (
        <title>{`${label}, last 15 minutes: ${formatCount(first)} → ${formatCount(last)} (low ${formatCount(low)}, high ${formatCount(high)})`}</title>
      )}
      {segments.map((d, index) => (
        <path key={index} d={d} />
      ))}
    </svg>
  )
})
