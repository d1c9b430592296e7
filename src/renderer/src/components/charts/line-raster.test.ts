import { describe, expect, it } from 'vitest'
import type { ChartPoint } from '../../store/selectors.ts'
import { pixelOf, rasterLines, rgbOf, type RasterLine } from './line-raster.ts'

const W = 20
const H = 12
const INK = pixelOf(10, 20, 30)
const OTHER = pixelOf(200, 100, 50)

/** The buffer as text, a row a line: "#" for INK, "o" for OTHER, "." for nothing. */
function draw(lines: RasterLine[], xOf = (t: number) => t, yOf = (value: number) => value): string[] {
  const pixels = new Uint32Array(W * H)
  rasterLines(pixels, W, H, lines, xOf, yOf)
  const rows: string[] = []
  for (let row = 0; row < H; row++) {
    let text = ''
    for (let col = 0; col < W; col++) {
      const pixel = pixels[row * W + col]
      text += pixel === INK ? '#' : pixel === OTHER ? 'o' : pixel === 0 ? '.' : '?'
    }
    rows.push(text)
  }
  return rows
}

const line = (points: ChartPoint[], extra: Partial<RasterLine> = {}): RasterLine => ({
  points,
  pixel: INK,
  width: 1,
  dotRadius: 0,
  ...extra,
})

describe('line raster', () => {
  it('draws a step line: the value holds until the next point, then steps; it ends at its last point', () => {
    const rows = draw([
      line([
        { t: 2.5, value: 3.5 },
        { t: 6.5, value: 7.5 },
        { t: 10.5, value: 7.5 },
      ]),
    ])
    expect(rows.slice(2, 9)).toEqual([
      '....................',
      '..#####.............',
      '......#.............',
      '......#.............',
      '......#.............',
      '......#####.........',
      '....................',
    ])
  })

  it('breaks the line at a gap (null), carrying the value to where the gap starts', () => {
    const rows = draw([
      line([
        { t: 1.5, value: 2.5 },
        { t: 5.5, value: null },
        { t: 9.5, value: 2.5 },
        { t: 13.5, value: 5.5 },
      ]),
    ])
    expect(rows[2]).toBe('.#####...#####......')
    expect(rows[5]).toBe('.............#......')
  })

  it('draws thick lines centred on the value, and later lines over earlier ones', () => {
    const rows = draw([
      line(
        [
          { t: 0, value: 4 },
          { t: 20, value: 4 },
        ],
        { width: 2 },
      ),
      line(
        [
          { t: 5.5, value: 0 },
          { t: 5.5, value: 12 },
        ],
        { pixel: OTHER },
      ),
    ])
    expect(rows[3]).toBe('#####o##############')
    expect(rows[4]).toBe('#####o##############')
    expect(rows[2]).toBe('.....o..............')
    expect(rows[5]).toBe('.....o..............')
  })

  it('dashes a line along its length, starting each run of it afresh', () => {
    const rows = draw([
      line(
        [
          { t: 0.5, value: 1.5 },
          { t: 19.5, value: 1.5 },
        ],
        { dash: [3, 2] },
      ),
    ])
    // Counted in pixels from the first point's: 3 on, 2 off, … to the last point's pixel.
    expect(rows[1]).toBe('###..###..###..###..')
    // A pattern a canvas would refuse, or one of nothing, draws solid.
    for (const dash of [
      [-1, 2],
      [0, 0],
      [Infinity, 1],
    ]) {
      const solid = draw([
        line(
          [
            { t: 0, value: 1.5 },
            { t: 20, value: 1.5 },
          ],
          { dash },
        ),
      ])
      expect(solid[1]).toBe('#'.repeat(W))
    }
    // Round a corner the pattern carries on: 3 on (the corner's pixel the third), 2 off, 3 on, 2 off,
    // 3 on, the last of them the end point's pixel.
    const corner = draw([
      line(
        [
          { t: 0.5, value: 0.5 },
          { t: 2.5, value: 0.5 },
          { t: 2.5, value: 10.5 },
        ],
        { dash: [3, 2] },
      ),
    ])
    expect(corner.slice(0, 11).map((row) => row.slice(0, 4))).toEqual([
      '###.',
      '....',
      '....',
      '..#.',
      '..#.',
      '..#.',
      '....',
      '....',
      '..#.',
      '..#.',
      '..#.',
    ])
    // Each run of the line (after a gap) starts the pattern afresh.
    const runs = draw([
      line(
        [
          { t: 0.5, value: 1.5 },
          { t: 4.5, value: 1.5 },
          { t: 6.5, value: null },
          { t: 10.5, value: 1.5 },
          { t: 19.5, value: 1.5 },
        ],
        { dash: [3, 2] },
      ),
    ])
    expect(runs[1]).toBe('###..##...###..###..')
  })

  it('dashes the very pixels the solid line has, thick or thin, in the pattern rounded to whole pixels', () => {
    // A line stepping up and down by many pixels, at several widths and fractional places.
    const points: ChartPoint[] = Array.from({ length: 19 }, (_, i) => ({ t: i + 0.3, value: 2 + ((i * 7) % 9) }))
    for (const width of [1, 2, 3]) {
      const solid = draw([line(points, { width })]).join('')
      const dashed = draw([line(points, { width, dash: [2.4, 1.6] })]).join('')
      const offPattern = draw([line(points, { width, dash: [0, 2, 2, 0] })]).join('')
      // Everything dashed is on the solid line, and some of it is left out.
      for (let at = 0; at < solid.length; at++) if (dashed[at] === '#') expect(solid[at]).toBe('#')
      expect(dashed.split('#').length).toBeLessThan(solid.split('#').length)
      // [2.4, 1.6] rounds to [2, 2]: its "on" pixels and those of the opposite pattern make the solid line.
      for (let at = 0; at < solid.length; at++)
        expect(dashed[at] === '#' || offPattern[at] === '#' ? '#' : '.').toBe(solid[at])
    }
  })

  it('shows a value with no neighbour as a dot (its value still runs on to the gap after it)', () => {
    const rows = draw([
      line(
        [
          { t: 2, value: null },
          { t: 10, value: 6 },
          { t: 14, value: null },
        ],
        { dotRadius: 2 },
      ),
    ])
    expect(rows.slice(3, 9)).toEqual([
      '....................',
      '.........##.........',
      '........######......',
      '........####........',
      '.........##.........',
      '....................',
    ])
  })

  it('clips what falls outside the buffer instead of wrapping it onto other rows', () => {
    const rows = draw([
      line([
        { t: -5, value: -3 },
        { t: 25.5, value: 0.5 },
        { t: 40, value: 30 },
      ]),
    ])
    expect(rows.every((row) => row === '.'.repeat(W))).toBe(true)
    const edge = draw([
      line([
        { t: -5, value: 0.5 },
        { t: 25, value: 0.5 },
      ]),
    ])
    expect(edge[0]).toBe('#'.repeat(W))
    expect(edge.slice(1).every((row) => row === '.'.repeat(W))).toBe(true)
  })

  it('places times and values through xOf and yOf', () => {
    const rows = draw(
      [
        line([
          { t: 1000, value: 100 },
          { t: 2000, value: 100 },
        ]),
      ],
      (t) => (t - 1000) / 100 + 0.5,
      (value) => H - value / 10 + 0.5,
    )
    expect(rows[2]).toBe('###########.........')
  })

  it('covers exactly the squares along each step, however the steps fall (random lines, some off the buffer)', () => {
    // The squares of a step line, one pixel at a time: the plainest statement of what a solid line covers.
    const squares = (points: ChartPoint[], size: number): Set<number> => {
      const covered = new Set<number>()
      const square = (col: number, row: number) => {
        for (let y = row; y < row + size; y++)
          for (let x = col; x < col + size; x++) if (x >= 0 && x < W && y >= 0 && y < H) covered.add(y * W + x)
      }
      const at = (position: number) => Math.ceil(position - size / 2 - 0.5)
      let previous: { col: number; row: number } | null = null
      for (const point of points) {
        const col = at(point.t)
        // Along the old value up to this time (a gap too runs to where it starts)…
        if (previous) for (let x = previous.col; x <= col; x++) square(x, previous.row)
        if (point.value === null) {
          previous = null
          continue
        }
        const row = at(point.value)
        // …then up or down to the new one (a first value alone covers nothing: no radius, no dot).
        if (previous) for (let y = Math.min(previous.row, row); y <= Math.max(previous.row, row); y++) square(col, y)
        previous = { col, row }
      }
      return covered
    }
    let seed = 7
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
    for (let trial = 0; trial < 200; trial++) {
      const size = 1 + Math.floor(random() * 4)
      const points: ChartPoint[] = []
      let t = -4 + random() * 4
      for (let i = 0; i < 12; i++) {
        t += random() * 4
        points.push({ t, value: random() < 0.15 ? null : -3 + random() * (H + 6) })
      }
      const pixels = new Uint32Array(W * H)
      rasterLines(
        pixels,
        W,
        H,
        [line(points, { width: size })],
        (value) => value,
        (value) => value,
      )
      const drawn = new Set([...pixels.keys()].filter((index) => pixels[index] === INK))
      const wanted = squares(points, size)
      expect(
        [...drawn].sort((a, b) => a - b),
        `trial ${trial}`,
      ).toEqual([...wanted].sort((a, b) => a - b))
    }
  })
})

describe('colours as pixels', () => {
  it('reads hex and rgb() colours, and nothing else', () => {
    expect(rgbOf('#3b5bdb')).toEqual([0x3b, 0x5b, 0xdb])
    expect(rgbOf('#35D')).toEqual([0x33, 0x55, 0xdd])
    expect(rgbOf('rgb(1, 2, 3)')).toEqual([1, 2, 3])
    expect(rgbOf('rgba(1, 2, 3, 0.5)')).toEqual([1, 2, 3])
    expect(rgbOf('tomato')).toBeNull()
  })

  it('packs a colour as the RGBA bytes ImageData holds', () => {
    const bytes = new Uint8Array(new Uint32Array([pixelOf(0x12, 0x34, 0x56)]).buffer)
    expect([...bytes]).toEqual([0x12, 0x34, 0x56, 0xff])
  })
})
