import { memo, useMemo, useRef, useState, type PointerEvent } from 'react'
import { Area, AreaChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts'
import { formatCompact, formatCount } from '../../lib/format.ts'
import type { TimeFormat } from '../../lib/time-format.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { selectionRange } from '../../lib/time-range.ts'
import type { ChartPoint } from '../../store/selectors.ts'
import { useThemeName } from '../theme.tsx'
import { ChartMarks, marksInWords, type ChartMark } from './ChartMarks.tsx'
import { niceMax, timeTicks, valueAt } from './chart-math.ts'
import { PALETTE } from './palette.ts'

export interface LineSeries {
  key: string
  label: string
  color: string
  /** The series as fetched: at most one point per pixel. */
  points: ChartPoint[]
  /** The total is drawn heavier than the rooms. */
  strong?: boolean
}

export interface StackedSeries {
  keys: { key: string; label: string; color: string }[]
  /** One row per time: `t` and a count per key (null in a gap). */
  rows: Record<string, number | null>[]
}

/** The values at the latest sync, drawn after the fetched series until the next fetch. */
export interface LiveTail {
  at: number
  values: Record<string, number>
}

interface TimeChartProps {
  label: string
  from: number
  to: number
  width: number
  height: number
  lines?: LineSeries[]
  stacked?: StackedSeries
  live?: LiveTail | null
  /** Alerts (and other happenings) drawn over the plot. */
  marks?: readonly ChartMark[]
  onZoom?(range: { from: number; to: number }): void
}

const Y_AXIS_WIDTH = 52
const MARGIN = { top: 8, right: 14, bottom: 0, left: 0 }
const X_AXIS_HEIGHT = 24

/**
 * Occupancy over time: step lines (one per room and the total) or stacked step areas (a room's
 * groups). recharts draws what was fetched, and redraws only when a fetch or the size changes; each
 * live tick only moves a thin layer on top (the "tail" from the last fetched point to now), the
 * crosshair readout and drag-to-zoom, so a tick costs a few elements, not a chart. Never animated;
 * each series holds at most one point per pixel.
 */
export function TimeChart({ label, from, to, width, height, lines, stacked, live, marks, onZoom }: TimeChartProps) {
  const time = useTimeFormat()
  const [hoverT, setHoverT] = useState<number | null>(null)
  const [selection, setSelection] = useState<{ start: number; end: number } | null>(null)
  const dragging = useRef(false)
  const plotWidth = Math.max(1, width - Y_AXIS_WIDTH - MARGIN.right)
  const plotHeight = Math.max(1, height - MARGIN.top - X_AXIS_HEIGHT)
  const timeAt = (clientX: number, element: HTMLElement) => {
    const box = element.getBoundingClientRect()
    const x = Math.min(Math.max(clientX - box.left, 0), box.width)
    return from + (x / Math.max(1, box.width)) * (to - from)
  }
  const xOf = (t: number) => Math.min(plotWidth, Math.max(0, ((t - from) / Math.max(1, to - from)) * plotWidth))

  // The scale covers the fetched data and the live values, on round numbers, so it rarely changes.
  const yMax = useMemo(() => {
    let max = 0
    if (lines)
      for (const line of lines)
        for (const point of line.points) if (point.value !== null && point.value > max) max = point.value
    if (stacked) {
      for (const row of stacked.rows) {
        let sum = 0
        for (const key of stacked.keys) sum += row[key.key] ?? 0
        if (sum > max) max = sum
      }
    }
    if (live) {
      const liveValues = Object.values(live.values)
      max = Math.max(max, stacked ? liveValues.reduce((sum, value) => sum + value, 0) : Math.max(0, ...liveValues))
    }
    return niceMax(max)
  }, [lines, stacked, live])
  const yOf = (value: number) => plotHeight - (Math.min(value, yMax) / yMax) * plotHeight

  const readout = useMemo(() => {
    const at = hoverT
    const pastLive = live && at !== null && at >= live.at
    const items: { key: string; label: string; color: string; value: number | null }[] = []
    const keys = lines ?? stacked?.keys ?? []
    for (const item of keys) {
      let value: number | null
      if ((at === null || pastLive) && live && item.key in live.values) value = live.values[item.key] ?? null
      else if (lines) {
        const points = (item as LineSeries).points
        value = at === null ? (points.at(-1)?.value ?? null) : valueAt(points, at)
      } else {
        const row = at === null ? stacked?.rows.at(-1) : rowAt(stacked?.rows ?? [], at)
        value = (row?.[item.key] as number | null | undefined) ?? null
      }
      items.push({ key: item.key, label: item.label, color: item.color, value })
    }
    return items
  }, [hoverT, lines, stacked, live])

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (!onZoom || event.button !== 0) return
    dragging.current = true
    event.currentTarget.setPointerCapture(event.pointerId)
    const t = timeAt(event.clientX, event.currentTarget)
    setSelection({ start: t, end: t })
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const t = timeAt(event.clientX, event.currentTarget)
    setHoverT(t)
    if (dragging.current) setSelection((current) => (current ? { ...current, end: t } : null))
  }
  const onPointerUp = () => {
    if (!dragging.current) return
    dragging.current = false
    const range = selection ? selectionRange(selection.start, selection.end) : null
    setSelection(null)
    if (range && onZoom) onZoom(range)
  }

  const span = to - from
  const marksLabel = marks ? marksInWords(marks, from, to) : ''
  return (
    <div className="time-chart">
      <div className="chart-readout" aria-live="off">
        <span className="readout-time">
          {hoverT === null ? 'Latest' : span > 36 * 3_600_000 ? time.dateTime(hoverT) : time.clock(hoverT)}
        </span>
        {readout.map((item) => (
          <span key={item.key} className="readout-item">
            <span className="swatch" style={{ background: item.color }} aria-hidden="true" />
            <span className="readout-label">{item.label}</span>
            <span className="readout-value">{formatCount(item.value)}</span>
          </span>
        ))}
      </div>
      <div
        className="chart-canvas"
        role="img"
        aria-label={marksLabel ? `${label}. ${marksLabel}` : label}
        style={{ height }}
      >
        {width > Y_AXIS_WIDTH + 40 && (
          <ChartBody
            from={from}
            to={to}
            width={width}
            height={height}
            yMax={yMax}
            lines={lines}
            stacked={stacked}
            time={time}
          />
        )}
        {live && (
          <svg
            className="chart-tail"
            style={{ left: Y_AXIS_WIDTH, top: MARGIN.top }}
            width={plotWidth}
            height={plotHeight}
            aria-hidden="true"
          >
            {lines?.map((line) => {
              const last = line.points.at(-1)
              const value = live.values[line.key]
              if (!last || last.value === null || value === undefined || live.at <= last.t) return null
              const x0 = xOf(last.t)
              const x1 = xOf(live.at)
              return (
                <path
                  key={line.key}
                  d={`M${x0} ${yOf(last.value)} H${x1} V${yOf(value)}`}
                  stroke={line.color}
                  strokeWidth={line.strong ? 2.25 : 1.5}
                  fill="none"
                />
              )
            })}
            {stacked && <StackedTail stacked={stacked} live={live} xOf={xOf} yOf={yOf} />}
          </svg>
        )}
        {marks && (
          <ChartMarks
            marks={marks}
            from={from}
            to={to}
            left={Y_AXIS_WIDTH}
            top={MARGIN.top}
            width={plotWidth}
            height={plotHeight}
          />
        )}
        <div
          className={onZoom ? 'chart-interaction zoomable' : 'chart-interaction'}
          style={{ left: Y_AXIS_WIDTH, width: plotWidth, top: MARGIN.top, height: plotHeight }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => {
            if (!dragging.current) setHoverT(null)
          }}
        >
          {hoverT !== null && <div className="chart-cursor" style={{ left: xOf(hoverT) }} />}
          {selection && (
            <div
              className="chart-selection"
              style={{
                left: xOf(Math.min(selection.start, selection.end)),
                width: Math.abs(xOf(selection.end) - xOf(selection.start)),
              }}
            />
          )}
        </div>
      </div>
    </div>
  )
}

/** The live part of a stacked chart: one block per group from the last fetched row to now. */
function StackedTail({
  stacked,
  live,
  xOf,
  yOf,
}: {
  stacked: StackedSeries
  live: LiveTail
  xOf(t: number): number
  yOf(value: number): number
}) {
  const last = stacked.rows.at(-1)
  if (!last || (last.t ?? Infinity) >= live.at) return null
  const x0 = xOf(last.t ?? 0)
  const x1 = xOf(live.at)
  const blocks: { key: string; color: string; y0: number; y1: number }[] = []
  let base = 0
  for (const key of stacked.keys) {
    const top = base + (live.values[key.key] ?? 0)
    blocks.push({ key: key.key, color: key.color, y0: yOf(base), y1: yOf(top) })
    base = top
  }
  return (
    <>
      {blocks.map((block) => (
        <rect
          key={block.key}
          x={x0}
          y={block.y1}
          width={Math.max(0, x1 - x0)}
          height={Math.max(0, block.y0 - block.y1)}
          fill={block.color}
          fillOpacity={0.35}
          stroke="none"
        />
      ))}
    </>
  )
}

function rowAt(rows: Record<string, number | null>[], t: number): Record<string, number | null> | undefined {
  let found: Record<string, number | null> | undefined
  for (const row of rows) {
    if ((row.t ?? Infinity) > t) break
    found = row
  }
  return found
}

interface ChartBodyProps {
  from: number
  to: number
  width: number
  height: number
  yMax: number
  lines?: LineSeries[]
  stacked?: StackedSeries
  /** The zone the axis is written in: a change of setting redraws it. */
  time: TimeFormat
}

/** The recharts part, memoised: it redraws only when its data, scale or size change. */
const ChartBody = memo(function ChartBody({ from, to, width, height, yMax, lines, stacked, time }: ChartBodyProps) {
  const theme = PALETTE[useThemeName()]
  const plotWidth = width - Y_AXIS_WIDTH - MARGIN.right
  const ticks = useMemo(
    () => timeTicks(from, to, Math.max(2, Math.floor(plotWidth / 110)), time.offsetMs),
    [from, to, plotWidth, time],
  )
  const span = to - from
  const xAxis = (
    <XAxis
      dataKey="t"
      type="number"
      domain={[from, to]}
      allowDataOverflow
      ticks={ticks}
      tickFormatter={(t: number) => time.axis(t, span)}
      stroke={theme.axis}
      tick={{ fill: theme.axis, fontSize: 11 }}
      height={X_AXIS_HEIGHT}
      tickLine={false}
    />
  )
  const yAxis = (
    <YAxis
      width={Y_AXIS_WIDTH}
      domain={[0, yMax]}
      allowDataOverflow
      allowDecimals={false}
      tickFormatter={formatCompact}
      stroke={theme.axis}
      tick={{ fill: theme.axis, fontSize: 11 }}
      tickLine={false}
      axisLine={false}
    />
  )
  const grid = <CartesianGrid vertical={false} stroke={theme.grid} />
  if (stacked) {
    return (
      <AreaChart width={width} height={height} margin={MARGIN} data={stacked.rows} accessibilityLayer={false}>
        {grid}
        {xAxis}
        {yAxis}
        {stacked.keys.map((key) => (
          <Area
            key={key.key}
            dataKey={key.key}
            name={key.label}
            stackId="groups"
            type="stepAfter"
            stroke={key.color}
            fill={key.color}
            fillOpacity={0.35}
            strokeWidth={1.25}
            isAnimationActive={false}
            connectNulls={false}
            dot={false}
            activeDot={false}
          />
        ))}
      </AreaChart>
    )
  }
  return (
    <LineChart width={width} height={height} margin={MARGIN} accessibilityLayer={false}>
      {grid}
      {xAxis}
      {yAxis}
      {(lines ?? []).map((line) => (
        <Line
          key={line.key}
          data={line.points}
          dataKey="value"
          name={line.label}
          type="stepAfter"
          stroke={line.color}
          strokeWidth={line.strong ? 2.25 : 1.5}
          isAnimationActive={false}
          connectNulls={false}
          dot={false}
          activeDot={false}
        />
      ))}
    </LineChart>
  )
})

export const CHART_PLOT_INSET = Y_AXIS_WIDTH + MARGIN.right
