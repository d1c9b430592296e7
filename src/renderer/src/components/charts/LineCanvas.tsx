import { memo, useLayoutEffect, useRef } from 'react'
import { pixelOf, rasterLines, rgbOf } from './line-raster.ts'
import { createWarmUp, whenIdle } from './warm-up.ts'
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
 * The lines of a line chart, drawn into one canvas's pixels (`rasterLines`): twenty series of a
 * thousand points each cost a millisecond or two, where stroked as paths (by the canvas, or as SVG in
 * recharts) a history refetch redrew for tens of milliseconds. Memoised, so a live tick (which only
 * moves the tail drawn over it) never repaints it; a refetch repaints it in one pass. Step lines: a
 * value holds until the next point, a null breaks the line, a lone value is a dot.
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
  const imageRef = useRef<ImageData | null>(null)
  useLayoutEffect(() => {
    const canvas = ref.current
    const context = canvas?.getContext('2d')
    if (!canvas || !context) return
    const ratio = window.devicePixelRatio || 1
    // Resized only when the size changes: setting it, even to the same value, reallocates the bitmap.
    const pixelWidth = Math.max(1, Math.round(width * ratio))
    const pixelHeight = Math.max(1, Math.round((height + 2 * BLEED) * ratio))
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight
    // One buffer kept while the size stays, cleared for each draw: a fresh one per refetch is a
    // megabyte of garbage.
    let image = imageRef.current
    if (!image || image.width !== pixelWidth || image.height !== pixelHeight)
      image = imageRef.current = context.createImageData(pixelWidth, pixelHeight)
    const pixels = new Uint32Array(image.data.buffer)
    const span = Math.max(1, to - from)
    const roomWidth = Math.max(1, Math.round(ROOM_LINE_WIDTH * ratio))
    // The heavy total last, so the rooms never hide it.
    const ordered = [...lines].sort((a, b) => Number(a.strong ?? false) - Number(b.strong ?? false))
    const raster = ordered.map((line) => ({
      points: line.points,
      pixel: pixelFor(context, line.color),
      width: line.strong ? Math.max(roomWidth + 1, Math.round(TOTAL_LINE_WIDTH * ratio)) : roomWidth,
      dash: line.dash?.map((length) => length * ratio),
      dotRadius: LONE_POINT_RADIUS * ratio,
    }))
    // The places are new functions for each draw, as they are for each refetch: a warm-up that reused
    // them would teach the compiler that they never change, and the first refetch would undo it.
    const draw = () => {
      pixels.fill(0)
      rasterLines(
        pixels,
        pixelWidth,
        pixelHeight,
        raster,
        (t) => ((t - from) / span) * width * ratio,
        (value) => (BLEED + height - (Math.min(transform(value), top) / top) * height) * ratio,
      )
    }
    draw()
    context.putImageData(image, 0, 0)
    // Counts the draws, so a benchmark can tell when the lines were drawn again.
    canvas.dataset.draws = String(Number(canvas.dataset.draws ?? 0) + 1)
    warmUp(draw)
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

/**
 * The first draws after the app starts ran before V8 had compiled the rasteriser, several times
 * slower (in Chromium, the first refetches' lines took 12–20 ms instead of 3), so the first ranges the
 * user picked missed the frame. The first chart's lines are therefore drawn again a few times when
 * the page is idle, into its kept buffer, which every draw clears first: nothing new is shown, and the
 * compiler has seen the real work.
 */
const warmUp = createWarmUp(5, whenIdle)

const pixels = new Map<string, number>()

/** A CSS colour as one pixel; anything but hex or rgb() is read back through the canvas, which writes it so. */
function pixelFor(context: CanvasRenderingContext2D, colour: string): number {
  let pixel = pixels.get(colour)
  if (pixel === undefined) {
    let rgb = rgbOf(colour)
    if (!rgb) {
      context.fillStyle = colour
      rgb = rgbOf(String(context.fillStyle)) ?? [0, 0, 0]
    }
    pixel = pixelOf(...rgb)
    pixels.set(colour, pixel)
  }
  return pixel
}

const ROOM_LINE_WIDTH = 1.5
const TOTAL_LINE_WIDTH = 2.25
const LONE_POINT_RADIUS = 3

/** Room above and below the plot so a line at 0 or at the top is drawn whole, not half clipped. */
const BLEED = 2
