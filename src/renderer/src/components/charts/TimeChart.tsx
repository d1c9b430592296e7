import { memo, useMemo, useRef, useState, type PointerEvent } from 'react'
import { Area, AreaChart, CartesianGrid, XAxis, YAxis } from 'recharts'
import { useRovingIndex } from '../../hooks/use-roving-index.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { formatCount } from '../../lib/format.ts'
import type { TimeFormat } from '../../lib/time-format.ts'
import { selectionRange } from '../../lib/time-range.ts'
import type { ChartPoint } from '../../store/selectors.ts'
import type { ChartScale } from '../../store/slices/ui-slice.ts'
import { useThemeName } from '../theme.tsx'
import { ChartBands, bandsInWords, type ChartBand } from './ChartBands.tsx'
import { chartAxes, TIME_TICK_SPACING_PX } from './chart-axes.ts'
import { timeTicks, valueAt } from './chart-math.ts'
import { LineCanvas } from './LineCanvas.tsx'
import { PALETTE } from './palette.ts'
import { yScaleFor, type YScale } from './y-scale.ts'

export interface LineSeries {
  key: string
  label: string
  color: string
  /** The series as fetched: at most one point per pixel. */
  points: readonly ChartPoint[]
  /** The total is drawn heavier than the rooms. */
  strong?: boolean
  /** A dash pattern, so series beyond the palette's colours still tell apart. */
  dash?: number[]
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

/** A mark laid over the chart: `kind` picks its look (`chart-mark-{kind}`), `label` and `detail` its tooltip. */
export interface ChartMark {
  kind: string
  label: string
  detail: string
}
/** A stretch of time: a gap in the history, with its cause. */
export interface ChartSpanMark extends ChartMark {
  from: number
  to: number
}
/** A moment: something that changed how the history was recorded. */
export interface ChartInstantMark extends ChartMark {
  t: number
}
/** Shaded spans and marked instants over a chart; any kind of mark can join through these two lists. */
export interface ChartAnnotations {
  spans: readonly ChartSpanMark[]
  instants: readonly ChartInstantMark[]
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
  annotations?: ChartAnnotations
  /** Alerts drawn over the plot as bands, from firing to resolution. */
  bands?: readonly ChartBand[]
  /** How a line chart's values read: counts, counts on a log scale, or shares of everyone (0 to 1). */
  scale?: ChartScale
  /** Series the legend has turned off: listed, not drawn. */
  hidden?: readonly string[]
  /** Makes the legend's entries switches that show or hide their series. */
  onToggleSeries?(key: string): void
  onZoom?(range: { from: number; to: number }): void
}

const Y_AXIS_WIDTH = 52
const MARGIN = { top: 8, right: 14, bottom: 0, left: 0 }
const X_AXIS_HEIGHT = 24
/** How close (px) the pointer must be to an instant's mark for its tooltip. */
const INSTANT_REACH_PX = 5

/**
 * Occupancy over time: step lines (one per room and the total) or stacked step areas (a room's
 * groups). What was fetched is drawn once per fetch or size change (lines on a canvas under axes in
 * plain SVG; areas and their axes by recharts); each live tick only moves a thin layer on top (the
 * "tail" from the last fetched point to now), the legend's readout and drag-to-zoom, so a tick costs
 * a few elements, not a chart. Never animated; each series holds at most one point per pixel. The
 * legend wraps, so every series drawn is named, however narrow the chart.
 */
export function TimeChart({
  label,
  from,
  to,
  width,
  height,
  lines,
  stacked,
  live,
  annotations,
  bands,
  scale = 'linear',
  hidden,
  onToggleSeries,
  onZoom,
}: TimeChartProps) {
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

  const shown = useMemo(
    () => (lines && hidden?.length ? lines.filter((line) => !hidden.includes(line.key)) : lines),
    [lines, hidden],
  )
  // The scale covers the fetched data and the live values of what is drawn, on round numbers, and is
  // kept while its ticks stay the same, so the axes are not redrawn on every tick.
  const fetchedMax = useMemo(() => {
    let max = 0
    if (shown)
      for (const line of shown)
        for (const point of line.points) if (point.value !== null && point.value > max) max = point.value
    if (stacked) {
      for (const row of stacked.rows) {
        let sum = 0
        for (const key of stacked.keys) sum += row[key.key] ?? 0
        if (sum > max) max = sum
      }
    }
    return max
  }, [shown, stacked])
  let liveMax = 0
  if (live) {
    if (stacked) for (const value of Object.values(live.values)) liveMax += value
    else for (const line of shown ?? []) liveMax = Math.max(liveMax, live.values[line.key] ?? 0)
  }
  const kind = stacked ? 'linear' : scale
  const candidate = yScaleFor(kind, Math.max(fetchedMax, liveMax), plotHeight < 160 ? 4 : 5)
  const scaleKey = `${kind}|${candidate.ticks.map((tick) => tick.at).join(',')}`
  // eslint-disable-next-line react-hooks/exhaustive-deps -- compared by its ticks: the same axis keeps its identity
  const yScale = useMemo(() => candidate, [scaleKey])
  const yOf = (value: number) => plotHeight - (Math.min(yScale.transform(value), yScale.top) / yScale.top) * plotHeight
  const formatValue = (value: number | null) =>
    value === null ? '—' : kind === 'share' ? `${(value * 100).toFixed(1)}%` : formatCount(value)

  const readout = useMemo(() => {
    const at = hoverT
    const pastLive = live && at !== null && at >= live.at
    const items: LegendItem[] = []
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
      items.push({ key: item.key, label: item.label, color: item.color, dash: (item as LineSeries).dash, value })
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
  // The marks under the pointer, for the tooltip: spans it is inside, instants it is a few pixels from.
  const reach = (INSTANT_REACH_PX * span) / plotWidth
  const pointed: ChartMark[] =
    hoverT === null || !annotations
      ? []
      : [
          ...annotations.instants.filter((mark) => Math.abs(mark.t - hoverT) <= reach),
          ...annotations.spans.filter((mark) => mark.from <= hoverT && hoverT < mark.to),
        ]
  const bandsLabel = bands ? bandsInWords(bands, from, to) : ''
  return (
    <div className="time-chart">
      <div className="chart-readout" aria-live="off">
        <span className="readout-time">
          {hoverT === null ? 'Latest' : span > 36 * 3_600_000 ? time.dateTime(hoverT) : time.clock(hoverT)}
        </span>
        <Legend items={readout} hidden={hidden} onToggle={onToggleSeries} formatValue={formatValue} />
      </div>
      <div
        className="chart-canvas"
        role="img"
        aria-label={bandsLabel ? `${label}. ${bandsLabel}` : label}
        style={{ height }}
      >
        {width > Y_AXIS_WIDTH + 40 &&
          (stacked ? (
            <StackedBody
              from={from}
              to={to}
              width={width}
              height={height}
              yScale={yScale}
              stacked={stacked}
              time={time}
            />
          ) : (
            <LineAxes from={from} to={to} width={width} height={height} yScale={yScale} time={time} />
          ))}
        {shown && width > Y_AXIS_WIDTH + 40 && (
          <div className="chart-layer" style={{ left: Y_AXIS_WIDTH, top: MARGIN.top }}>
            <LineCanvas
              lines={shown}
              from={from}
              to={to}
              width={plotWidth}
              height={plotHeight}
              top={yScale.top}
              transform={yScale.transform}
            />
          </div>
        )}
        {live && (
          <svg
            className="chart-tail"
            style={{ left: Y_AXIS_WIDTH, top: MARGIN.top }}
            width={plotWidth}
            height={plotHeight}
            aria-hidden="true"
          >
            {shown?.map((line) => {
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
                  strokeDasharray={line.dash?.join(' ')}
                  fill="none"
                />
              )
            })}
            {stacked && <StackedTail stacked={stacked} live={live} xOf={xOf} yOf={yOf} />}
          </svg>
        )}
        {annotations && (
          <ChartMarks annotations={annotations} from={from} to={to} xOf={xOf} width={plotWidth} height={plotHeight} />
        )}
        {bands && (
          <ChartBands
            bands={bands}
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
          {hoverT !== null && pointed.length > 0 && (
            <div
              className={xOf(hoverT) > plotWidth / 2 ? 'chart-mark-tip to-left' : 'chart-mark-tip'}
              role="tooltip"
              style={{ left: xOf(hoverT) }}
            >
              {pointed.map((mark, index) => (
                <p key={index}>
                  <strong>{mark.label}</strong>
                  {mark.detail && mark.detail !== mark.label ? ` · ${mark.detail}` : ''}
                </p>
              ))}
            </div>
          )}
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

/**
 * Gaps shaded and events marked, under the pointer layer (which shows their tooltips). Each mark also
 * carries its words as a title and label, for assistive technology and a plain hover.
 */
function ChartMarks({
  annotations,
  from,
  to,
  xOf,
  width,
  height,
}: {
  annotations: ChartAnnotations
  from: number
  to: number
  xOf(t: number): number
  width: number
  height: number
}) {
  const words = (mark: ChartMark) => (mark.detail ? `${mark.label}: ${mark.detail}` : mark.label)
  return (
    <div className="chart-marks" style={{ left: Y_AXIS_WIDTH, top: MARGIN.top, width, height }}>
      {annotations.spans
        .filter((mark) => mark.to > from && mark.from < to)
        .map((mark, index) => {
          const left = xOf(mark.from)
          return (
            <div
              key={`span-${index}`}
              className={`chart-span chart-mark-${mark.kind}`}
              data-kind={mark.kind}
              title={words(mark)}
              aria-label={words(mark)}
              style={{ left, width: Math.max(1, xOf(mark.to) - left) }}
            />
          )
        })}
      {annotations.instants
        .filter((mark) => mark.t >= from && mark.t <= to)
        .map((mark, index) => (
          <div
            key={`instant-${index}`}
            className={`chart-instant chart-mark-${mark.kind}`}
            data-kind={mark.kind}
            title={words(mark)}
            aria-label={words(mark)}
            style={{ left: xOf(mark.t) }}
          />
        ))}
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

interface AxesProps {
  from: number
  to: number
  width: number
  height: number
  yScale: YScale
  /** The zone the axis is written in: a change of setting redraws it. */
  time: TimeFormat
}

/**
 * A line chart's axes and grid, as plain SVG (the lines are on the canvas above): a few dozen
 * elements laid out by `chartAxes`, where recharts took most of a refetch's frame to lay out the same.
 * Memoised: it redraws only when its window, scale, size or time zone change, never on a live tick.
 */
const LineAxes = memo(function LineAxes({ from, to, width, height, yScale, time }: AxesProps) {
  const theme = PALETTE[useThemeName()]
  const plot = {
    left: Y_AXIS_WIDTH,
    top: MARGIN.top,
    width: width - Y_AXIS_WIDTH - MARGIN.right,
    height: height - MARGIN.top - X_AXIS_HEIGHT,
  }
  const axes = chartAxes(from, to, plot, yScale, time)
  const floor = plot.top + plot.height
  return (
    <svg className="chart-axes" width={width} height={height} aria-hidden="true">
      <g className="chart-grid" stroke={theme.grid}>
        {axes.values.map((tick) => (
          <line key={tick.at} x1={plot.left} x2={plot.left + plot.width} y1={tick.at} y2={tick.at} />
        ))}
      </g>
      <line
        className="chart-time-axis-line"
        x1={plot.left}
        x2={plot.left + plot.width}
        y1={floor}
        y2={floor}
        stroke={theme.axis}
      />
      <g className="chart-value-axis" fill={theme.axis} fontSize={11} textAnchor="end">
        {axes.values.map((tick) => (
          <text key={tick.at} x={plot.left - AXIS_LABEL_GAP} y={tick.at} dy="0.355em">
            {tick.text}
          </text>
        ))}
      </g>
      <g className="chart-time-axis" fill={theme.axis} fontSize={11} textAnchor="middle">
        {axes.times.map((tick) => (
          <text key={tick.at} x={tick.at} y={floor + AXIS_LABEL_GAP} dy="0.71em">
            {tick.text}
          </text>
        ))}
      </g>
    </svg>
  )
})

/** Between an axis and its labels (px). */
const AXIS_LABEL_GAP = 8

interface StackedBodyProps extends AxesProps {
  stacked: StackedSeries
}

/**
 * A stacked chart (a room's groups), by recharts, memoised: its areas, axes and grid. It redraws only
 * when its window, scale, data, size or time zone change.
 */
const StackedBody = memo(function StackedBody({ from, to, width, height, yScale, stacked, time }: StackedBodyProps) {
  const theme = PALETTE[useThemeName()]
  const plotWidth = width - Y_AXIS_WIDTH - MARGIN.right
  const ticks = useMemo(
    () => timeTicks(from, to, Math.max(2, Math.floor(plotWidth / TIME_TICK_SPACING_PX)), time.offsetMs),
    [from, to, plotWidth, time],
  )
  const span = to - from
  const labels = new Map(yScale.ticks.map((tick) => [tick.at, tick.label]))
  return (
    <AreaChart width={width} height={height} margin={MARGIN} data={stacked.rows} accessibilityLayer={false}>
      <CartesianGrid vertical={false} stroke={theme.grid} />
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
      <YAxis
        width={Y_AXIS_WIDTH}
        domain={[0, yScale.top]}
        ticks={yScale.ticks.map((tick) => tick.at)}
        interval={0}
        allowDataOverflow
        tickFormatter={(at: number) => labels.get(at) ?? ''}
        stroke={theme.axis}
        tick={{ fill: theme.axis, fontSize: 11 }}
        tickLine={false}
        axisLine={false}
      />
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
})

interface LegendItem {
  key: string
  label: string
  color: string
  dash?: number[]
  value: number | null
}

/**
 * Each series' name, colour and value (at the cursor, or the latest). With `onToggle`, one tab stop
 * whose arrow keys move between the series and whose entries show or hide theirs.
 */
function Legend({
  items,
  hidden,
  onToggle,
  formatValue,
}: {
  items: LegendItem[]
  hidden?: readonly string[]
  onToggle?(key: string): void
  formatValue(value: number | null): string
}) {
  const ref = useRef<HTMLDivElement>(null)
  const roving = useRovingIndex(ref, { count: items.length, orientation: 'horizontal' })
  const body = (item: LegendItem, off: boolean) => (
    <>
      <svg className="legend-swatch" width={16} height={10} aria-hidden="true">
        <line x1={0} y1={5} x2={16} y2={5} stroke={item.color} strokeWidth={3} strokeDasharray={item.dash?.join(' ')} />
      </svg>
      <span className="readout-label">{item.label}</span>
      <span className="readout-value">{off ? 'hidden' : formatValue(item.value)}</span>
    </>
  )
  if (!onToggle)
    return (
      <>
        {items.map((item) => (
          <span key={item.key} className="readout-item">
            {body(item, false)}
          </span>
        ))}
      </>
    )
  return (
    <div ref={ref} className="chart-legend" role="toolbar" aria-label="Series shown" onKeyDown={roving.onKeyDown}>
      {items.map((item, index) => {
        const off = hidden?.includes(item.key) ?? false
        return (
          <button
            key={item.key}
            type="button"
            className={off ? 'readout-item legend-toggle off' : 'readout-item legend-toggle'}
            aria-pressed={!off}
            title={off ? `Show ${item.label}` : `Hide ${item.label}`}
            onClick={() => onToggle(item.key)}
            {...roving.itemProps(index)}
          >
            {body(item, off)}
          </button>
        )
      })}
    </div>
  )
}

export const CHART_PLOT_INSET = Y_AXIS_WIDTH + MARGIN.right
