import type { ChartPoint } from '../../store/selectors.ts'
import { lonePoints } from './chart-series.ts'

/** A step line to draw into pixels: where its points go and how it looks, in device pixels. */
export interface RasterLine {
  points: readonly ChartPoint[]
  /** The colour as one pixel of the buffer (see `pixelOf`). */
  pixel: number
  /** Thickness in whole pixels. */
  width: number
  /** Dash pattern (on, off, on, …) in pixels; none for a solid line. */
  dash?: readonly number[]
  /** Radius in pixels of the dot that shows a value with none beside it. */
  dotRadius: number
}

/** Runs at most this many pixels across are written pixel by pixel, wider ones with fill(). */
const NARROW = 8

/** Whether this machine stores a 32-bit word's lowest byte first: it decides how RGBA packs into one. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** An opaque colour as one RGBA pixel of a `Uint32Array` over `ImageData`'s bytes. */
export function pixelOf(red: number, green: number, blue: number): number {
  return LITTLE_ENDIAN
    ? (0xff000000 | (blue << 16) | (green << 8) | red) >>> 0
    : ((red << 24) | (green << 16) | (blue << 8) | 0xff) >>> 0
}

/** "#3b5bdb", "#35d" or "rgb(59, 91, 219)" (how a canvas reads a colour back) as red, green, blue; null otherwise. */
export function rgbOf(colour: string): [number, number, number] | null {
  const text = colour.trim().toLowerCase()
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(text)
  if (long) return [parseInt(long[1] as string, 16), parseInt(long[2] as string, 16), parseInt(long[3] as string, 16)]
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(text)
  if (short) return [1, 2, 3].map((at) => parseInt(`${short[at]}${short[at]}`, 16)) as [number, number, number]
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(,\s*[\d.]+\s*)?\)$/.exec(text)
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])]
  return null
}

/**
 * Step lines drawn straight into a buffer of pixels (`width` × `height`, row by row), in order, later
 * lines over earlier ones: a value holds until the next point, a null breaks the line, and a value
 * with none beside it is a dot. `xOf` and `yOf` place a time and a value in pixels (fractions allowed).
 *
 * Why not the canvas's own strokes: a step line at one point per pixel is a comb of thousands of tiny
 * segments, and stroking twenty of them (joins, antialiasing, dashes) took the browser tens of
 * milliseconds a redraw, most of a refetch's frame. Steps are only horizontal and vertical runs, so
 * filling whole pixels is exact to half a pixel and costs one write per pixel drawn.
 */
export function rasterLines(
  pixels: Uint32Array,
  width: number,
  height: number,
  lines: readonly RasterLine[],
  xOf: (t: number) => number,
  yOf: (value: number) => number,
): void {
  const target: Target = { pixels, width, height, xOf, yOf }
  for (const line of lines) {
    // A pattern a canvas would refuse (a negative or endless length) or one of nothing draws solid.
    const usable = line.dash?.every((length) => length >= 0 && Number.isFinite(length))
    const dash = usable && line.dash?.some((length) => length > 0) ? line.dash : null
    if (dash) dashed(target, line, dash)
    else solid(target, line)
    if (line.dotRadius > 0)
      for (const point of lonePoints(line.points))
        dot(target, xOf(point.t), yOf(point.value ?? 0), line.dotRadius, line.pixel)
  }
}

/**
 * Where lines are drawn. The drawing functions below are module functions taking this, not closures
 * made for each call: a refetch draws rarely, and closures made anew for every draw sent V8's
 * compiled code back to the interpreter ("wrong call target") on each of the first few refetches.
 */
interface Target {
  pixels: Uint32Array
  width: number
  height: number
  xOf(t: number): number
  yOf(value: number): number
}

/** Fills the pixels of columns [left, right) and rows [top, bottom), clipped to the buffer. */
function rect(target: Target, left: number, top: number, right: number, bottom: number, pixel: number) {
  const { pixels, width } = target
  left = Math.max(0, left)
  right = Math.min(width, right)
  if (left >= right) return
  const last = Math.min(target.height, bottom)
  // Most runs are a line's width across (a step up or down): a loop beats calling fill() per row.
  for (let row = Math.max(0, top); row < last; row++) {
    const start = row * width
    if (right - left <= NARROW) for (let at = start + left; at < start + right; at++) pixels[at] = pixel
    else pixels.fill(pixel, start + left, start + right)
  }
}

/**
 * A dashed line, in whole pixels as a solid one: the same squares along the same path, each square
 * one pixel of the pattern (lengths rounded to whole pixels), the pattern carrying on round each
 * corner along the direction of travel and starting afresh with each run of the line (after a gap),
 * as a canvas's dashes do. An "on" stretch of a run is one rectangle, so a dashed line costs what a
 * solid one does.
 */
function dashed(target: Target, line: RasterLine, dash: readonly number[]) {
  const pattern = dash.map((length) => Math.round(length))
  if (!pattern.some((length) => length > 0)) return solid(target, line)
  const half = line.width / 2
  const walk: DashWalk = { target, line, pattern, index: 0, left: pattern[0] as number }
  let started = false
  let previousCol = 0
  let previousRow = 0
  for (const point of line.points) {
    const col = Math.ceil(target.xOf(point.t) - half - 0.5)
    if (point.value === null) {
      if (started)
        dashRun(walk, true, previousCol, Math.abs(col - previousCol), col < previousCol ? -1 : 1, previousRow)
      started = false
      continue
    }
    const row = Math.ceil(target.yOf(point.value) - half - 0.5)
    if (started) {
      dashRun(walk, true, previousCol, Math.abs(col - previousCol), col < previousCol ? -1 : 1, previousRow)
      dashRun(walk, false, previousRow, Math.abs(row - previousRow), row < previousRow ? -1 : 1, col)
    } else {
      // A run of the line starts the pattern afresh, its first square the pattern's first pixel.
      walk.index = 0
      walk.left = pattern[0] as number
      dashRun(walk, true, col - 1, 1, 1, row)
    }
    started = true
    previousCol = col
    previousRow = row
  }
}

/** A dashed line on its way: which of the pattern's lengths it is in, and how many pixels of it are left. */
interface DashWalk {
  target: Target
  line: RasterLine
  pattern: number[]
  index: number
  left: number
}

/** Moves `count` squares from `from` (exclusive) one step at a time, filling the "on" ones. */
function dashRun(walk: DashWalk, horizontal: boolean, from: number, count: number, step: 1 | -1, across: number) {
  const { target, pattern } = walk
  const size = walk.line.width
  const pixel = walk.line.pixel
  let position = from + step
  while (count > 0) {
    while (walk.left === 0) {
      walk.index = (walk.index + 1) % pattern.length
      walk.left = pattern[walk.index] as number
    }
    const take = Math.min(walk.left, count)
    if (walk.index % 2 === 0) {
      // The squares at position … position + (take - 1) * step, as one rectangle.
      const low = step > 0 ? position : position - take + 1
      if (horizontal) rect(target, low, across, low + take - 1 + size, across + size, pixel)
      else rect(target, across, low, across + size, low + take - 1 + size, pixel)
    }
    position += take * step
    count -= take
    walk.left -= take
  }
}

/**
 * A solid line, the common case, in whole pixels: each point is the top-left pixel of a
 * width × width square centred on it, and a step is a run along the old value then one to the new,
 * written together (`step`): one call per point, since a refetch draws tens of thousands of them.
 */
function solid(target: Target, line: RasterLine) {
  const half = line.width / 2
  const size = line.width
  const pixel = line.pixel
  const points = line.points
  let started = false
  let previousCol = 0
  let previousRow = 0
  for (let index = 0; index < points.length; index++) {
    const point = points[index] as ChartPoint
    const x = target.xOf(point.t)
    if (point.value === null) {
      if (started) rect(target, previousCol, previousRow, Math.ceil(x + half - 0.5), previousRow + size, pixel)
      started = false
      continue
    }
    const col = Math.ceil(x - half - 0.5)
    const row = Math.ceil(target.yOf(point.value) - half - 0.5)
    if (started) step(target, previousCol, previousRow, col, row, size, pixel)
    started = true
    previousCol = col
    previousRow = row
  }
}

/**
 * One step of a solid line, clipped to the buffer: the run along the old row (columns `fromCol` to
 * `col` + size, rows `fromRow` + size) and the run at `col` from the old row to the new, row by row.
 */
function step(target: Target, fromCol: number, fromRow: number, col: number, row: number, size: number, pixel: number) {
  const { pixels, width } = target
  const top = Math.max(0, Math.min(fromRow, row))
  const bottom = Math.min(target.height, Math.max(fromRow, row) + size)
  const right = Math.min(width, col + size)
  // On the old row's band both runs end at col + size; the run along it starts at fromCol (if it is
  // left of that end at all).
  const bandLeft = Math.max(0, fromCol < col + size ? Math.min(fromCol, col) : col)
  const stepLeft = Math.max(0, col)
  for (let y = top; y < bottom; y++) {
    const left = y >= fromRow && y < fromRow + size ? bandLeft : stepLeft
    if (left >= right) continue
    const start = y * width
    if (right - left <= NARROW) for (let at = start + left; at < start + right; at++) pixels[at] = pixel
    else pixels.fill(pixel, start + left, start + right)
  }
}

/** A filled disc: the pixels whose centres are within `radius` of (cx, cy). */
function dot(target: Target, cx: number, cy: number, radius: number, pixel: number) {
  const { pixels, width } = target
  const top = Math.max(0, Math.ceil(cy - radius - 0.5))
  const bottom = Math.min(target.height, Math.ceil(cy + radius - 0.5))
  for (let row = top; row < bottom; row++) {
    const dy = row + 0.5 - cy
    const reach = Math.sqrt(Math.max(0, radius * radius - dy * dy))
    const left = Math.max(0, Math.ceil(cx - reach - 0.5))
    const right = Math.min(width, Math.ceil(cx + reach - 0.5))
    if (left < right) pixels.fill(pixel, row * width + left, row * width + right)
  }
}
