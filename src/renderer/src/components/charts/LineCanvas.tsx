import { memo, useLayoutEffect, useRef } from 'react'
import { lonePoints } from './chart-series.ts'
import type { LineSeries } from './TimeChart.tsx'

interface LineCanvasProps {
  lines: readonly LineSeries[]
  from: number
  to: number
  /** The plot area in CSS pixels. */
  width: number
  height: number
  /** The axis: a value is drawn at transform(value) between 0 and top. */
  top: number
  transform(value: number): number
}

/**
 * The lines of a line chart, drawn on one canvas: twenty series of a thousand points each cost a few
 * milliseconds here, where as SVG paths in recharts a history refetch redrew for tens of milliseconds.
 * Memoised, so a live tick (which only moves the tail drawn over it) never repaints it; a refetch
 * repaints it in one pass. Step lines: a value holds until the next point, and a null breaks the line.
 */
export const LineCanvas = memo(function LineCanvas({
  lines,
  from,
  to,
  width,
  height,
  top,
  transform,
}: LineCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null)
  useLayoutEffect(() => {
    const canvas = ref.current
    const context = canvas?.getContext('2d')
    if (!canvas || !context) return
    const ratio = window.devicePixelRatio || 1
    // Resized only when the size changes: setting it, even to the same value, reallocates the bitmap.
    const pixelWidth = Math.round(width * ratio)
    const pixelHeight = Math.round((height + 2 * BLEED) * ratio)
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight
    context.setTransform(ratio, 0, 0, ratio, 0, BLEED * ratio)
    context.clearRect(0, -BLEED, width, height + 2 * BLEED)
    const span = Math.max(1, to - from)
    const xOf = (t: number) => ((t - from) / span) * width
    const yOf = (value: number) => height - (Math.min(transform(value), top) / top) * height
    // Counts the draws, so a benchmark can tell when the lines were drawn again.
    canvas.dataset.draws = String(Number(canvas.dataset.draws ?? 0) + 1)
    context.lineJoin = 'miter'
    context.lineCap = 'butt'
    // The heavy total last, so the rooms never hide it.
    for (const line of [...lines].sort((a, b) => Number(a.strong ?? false) - Number(b.strong ?? false))) {
      context.strokeStyle = line.color
      context.lineWidth = line.strong ? 2.25 : 1.5
      context.setLineDash(line.dash ?? [])
      context.beginPath()
      let previousY: number | null = null
      for (const point of line.points) {
        const x = xOf(point.t)
        if (point.value === null) {
          if (previousY !== null) context.lineTo(x, previousY)
          previousY = null
          continue
        }
        const y = yOf(point.value)
        if (previousY === null) context.moveTo(x, y)
        else {
          context.lineTo(x, previousY)
          context.lineTo(x, y)
        }
        previousY = y
      }
      context.stroke()
      // A value with none beside it (the first sync of a chart, or one between two gaps) is no line:
      // drawn as a dot, so a known value is never invisible.
      context.fillStyle = line.color
      for (const point of lonePoints(line.points)) {
        context.beginPath()
        context.arc(xOf(point.t), yOf(point.value ?? 0), LONE_POINT_RADIUS, 0, 2 * Math.PI)
        context.fill()
      }
    }
  }, [lines, from, to, width, height, top, transform])
  return (
    <canvas
      ref={ref}
      className="chart-lines"
      style={{ width, height: height + 2 * BLEED, marginTop: -BLEED }}
      aria-hidden="true"
    />
  )
})

const LONE_POINT_RADIUS = 3

/** Room above and below the plot so a line at 0 or at the top is drawn whole, not half clipped. */
const BLEED = 2
