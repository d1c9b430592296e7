import { useEffect, useMemo, useState } from 'react'
import { TOTAL_SERIES } from '../../../shared/history.ts'
import { useElementWidth } from '../hooks/use-element-width.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { isLive, MIN_SPAN_MS } from '../lib/time-range.ts'
import { useAppStore } from '../store/context.tsx'
import { alertMarks } from '../lib/alert-marks.ts'
import { tableOfLines } from '../lib/chart-table.ts'
import { topRooms, type ChartPoint } from '../store/selectors.ts'
import { TOP_ROOMS } from '../store/slices/ui-slice.ts'
import { ChartExport } from './charts/ChartExport.tsx'
import { ChartRoomChooser } from './charts/ChartRoomChooser.tsx'
import { extendTo, roomLineStyle, shareOf } from './charts/chart-series.ts'
import { chartWindow } from './charts/chart-window.ts'
import { PALETTE } from './charts/palette.ts'
import { RangePicker } from './charts/RangePicker.tsx'
import { ScalePicker } from './charts/ScalePicker.tsx'
import { CHART_PLOT_INSET, TimeChart, type LineSeries, type LiveTail } from './charts/TimeChart.tsx'
import { useThemeName } from './theme.tsx'

const HEIGHT = 260

/**
 * Occupancy over time: the total and the rooms chosen for the chart (the busiest while none are), on a
 * linear, log or share-of-everyone scale, for the chosen range, fed at the chart's width in points.
 */
export function OverviewChart() {
  const theme = useThemeName()
  const [ref, width] = useElementWidth<HTMLDivElement>()
  const points = Math.min(5000, Math.max(2, width - CHART_PLOT_INSET - 1))
  // A string, so the ranking is compared by value and only a change in the top rooms re-renders.
  const topKey = useAppStore((state) =>
    state.chartRooms.length > 0 ? '' : topRooms(state.rooms.values(), TOP_ROOMS).join('\n'),
  )
  const {
    range,
    resetTo,
    chart,
    error,
    liveAt,
    total,
    rooms,
    chartRooms,
    hidden,
    scale,
    setRange,
    zoom,
    reset,
    toggleSeries,
    loadChart,
    alertLog,
  } = useAppFields((state) => ({
    range: state.overviewRange,
    resetTo: state.overviewResetTo,
    chart: state.overviewChart,
    error: state.chartError,
    liveAt: state.liveAt,
    total: state.total,
    rooms: state.rooms,
    chartRooms: state.chartRooms,
    hidden: state.hiddenSeries,
    scale: state.chartScale,
    setRange: state.setOverviewRange,
    zoom: state.zoomChart,
    reset: state.resetChartRange,
    toggleSeries: state.toggleSeries,
    loadChart: state.loadOverviewChart,
    alertLog: state.alertLog,
  }))
  const [choosing, setChoosing] = useState(false)
  const chosen = chartRooms.length > 0
  const wantedKey = chosen ? chartRooms.join('\n') : topKey
  const marks = useMemo(() => alertMarks(alertLog), [alertLog])

  useEffect(() => {
    if (width > 0) void loadChart(points, wantedKey ? wantedKey.split('\n') : [])
  }, [loadChart, points, wantedKey, range, liveAt, width])

  // Live while the range follows now; the tail then runs to the latest sync (the engine's clock).
  const live = chart !== null && liveAt !== null && isLive(range)
  // A fixed window's lines all end at its end (or the latest sync, if sooner): not each at its last change.
  const end = chart === null ? 0 : live ? null : Math.min(chart.to, liveAt ?? chart.to)
  const lines = useMemo<LineSeries[]>(() => {
    if (!chart) return []
    const totalSeries = chart.data.series.find((series) => series.room === TOTAL_SERIES)
    const result: LineSeries[] = []
    let roomIndex = 0
    for (const series of chart.data.series) {
      const isTotal = series.room === TOTAL_SERIES
      // On the share scale the total is the whole (always 100 %), so it is not drawn.
      if (isTotal && scale === 'share') continue
      let points: readonly ChartPoint[] = series.points
      if (scale === 'share' && totalSeries) points = shareOf(points, totalSeries.points)
      if (end !== null) points = extendTo(points, end)
      const style = isTotal ? { color: PALETTE[theme].total } : roomLineStyle(theme, roomIndex++)
      result.push({ key: series.room, label: isTotal ? 'All rooms' : series.room, strong: isTotal, points, ...style })
    }
    return result
  }, [chart, theme, scale, end])
  const tail = useMemo<LiveTail | null>(() => {
    if (!live || !chart || liveAt === null) return null
    const values: Record<string, number> = {}
    for (const series of chart.data.series) {
      const count = series.room === TOTAL_SERIES ? total : (rooms.get(series.room)?.count ?? 0)
      if (scale !== 'share') values[series.room] = count
      else if (total > 0 && series.room !== TOTAL_SERIES) values[series.room] = count / total
    }
    return { at: liveAt, values }
  }, [live, chart, liveAt, total, rooms, scale])

  const { from, to } = chartWindow(chart, live)
  const drawn = lines.filter((line) => !hidden.includes(line.key)).map((line) => line.label)
  const label = `Occupancy over time${scale === 'share' ? ' as a share of everyone present' : scale === 'log' ? ' on a log scale' : ''}: ${drawn.length ? listOf(drawn) : 'no series shown'}`
  return (
    <section className="panel" aria-label="Occupancy over time">
      <header className="panel-header">
        <h2>Occupancy over time</h2>
        <RangePicker
          label="Overview chart range"
          range={range}
          resetTo={resetTo}
          onChange={setRange}
          onZoom={(window) => zoom('overview', window)}
          onReset={() => reset('overview')}
        />
        <ChartExport
          subject="overview"
          title="Occupancy over time"
          hostRef={ref}
          table={() => (chart ? tableOfLines(lines, tail) : null)}
          from={from}
          to={to}
        />
      </header>
      <div className="chart-options">
        <span className="chart-rooms-caption">
          {chosen
            ? `${chartRooms.length} chosen room${chartRooms.length === 1 ? '' : 's'}`
            : `The ${TOP_ROOMS} busiest rooms`}
        </span>
        <button
          type="button"
          className="ghost-button"
          aria-expanded={choosing}
          aria-controls="chart-room-chooser"
          onClick={() => setChoosing(!choosing)}
        >
          Choose rooms…
        </button>
        <ScalePicker />
      </div>
      {choosing && <ChartRoomChooser id="chart-room-chooser" onClose={() => setChoosing(false)} />}
      <div ref={ref} className="chart-host">
        {!chart ? (
          <p className="chart-message chart-placeholder" style={{ height: HEIGHT + 28 }}>
            {error ?? 'Loading history…'}
          </p>
        ) : (
          <TimeChart
            label={label}
            from={from}
            to={to}
            width={width}
            height={HEIGHT}
            lines={lines}
            live={tail}
            annotations={chart.annotations}
            bands={marks}
            scale={scale}
            hidden={hidden}
            onToggleSeries={toggleSeries}
            // A drag never reaches past what was fetched: the lead on the right of a live chart is empty.
            onZoom={(window) => {
              const to = Math.min(window.to, chart.to)
              zoom('overview', { from: Math.min(window.from, to - MIN_SPAN_MS), to })
            }}
          />
        )}
      </div>
    </section>
  )
}

/** "a", "a and b", "a, b and c". */
function listOf(names: string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
