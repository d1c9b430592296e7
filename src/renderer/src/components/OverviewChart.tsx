import { useEffect, useMemo } from 'react'
import { TOTAL_SERIES } from '../../../shared/history.ts'
import { useElementWidth } from '../hooks/use-element-width.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { isLive } from '../lib/time-range.ts'
import { useAppStore } from '../store/context.tsx'
import { topRooms } from '../store/selectors.ts'
import { TOP_ROOMS } from '../store/slices/history-slice.ts'
import { CHART_PLOT_INSET, TimeChart, type LineSeries, type LiveTail } from './charts/TimeChart.tsx'
import { ChartExport } from './charts/ChartExport.tsx'
import { chartWindow } from './charts/chart-window.ts'
import { tableOfLines } from '../lib/chart-table.ts'
import { alertMarks } from '../lib/alert-marks.ts'
import { PALETTE, seriesColor } from './charts/palette.ts'
import { RangePicker } from './charts/RangePicker.tsx'
import { useThemeName } from './theme.tsx'

const HEIGHT = 260

/** Occupancy over time: the total and the busiest rooms, for the chosen range, fed at the chart's width in points. */
export function OverviewChart() {
  const theme = useThemeName()
  const [ref, width] = useElementWidth<HTMLDivElement>()
  const points = Math.min(5000, Math.max(2, width - CHART_PLOT_INSET - 1))
  // A string, so the ranking is compared by value and only a change in the top rooms re-renders.
  const topKey = useAppStore((state) => topRooms(state.rooms.values(), TOP_ROOMS).join('\n'))
  const { range, chart, error, liveAt, total, rooms, setRange, loadChart, alertLog } = useAppFields((state) => ({
    range: state.overviewRange,
    chart: state.overviewChart,
    error: state.chartError,
    liveAt: state.liveAt,
    total: state.total,
    rooms: state.rooms,
    setRange: state.setOverviewRange,
    loadChart: state.loadOverviewChart,
    alertLog: state.alertLog,
  }))
  const marks = useMemo(() => alertMarks(alertLog), [alertLog])

  useEffect(() => {
    if (width > 0) void loadChart(points, topKey ? topKey.split('\n') : [])
  }, [loadChart, points, topKey, range, liveAt, width])

  // Live while the range reaches the latest sync (the engine's clock, not this machine's).
  const live = chart !== null && liveAt !== null && isLive(range, liveAt)
  const lines = useMemo<LineSeries[]>(() => {
    if (!chart) return []
    return chart.data.series.map((series, index) => {
      const isTotal = series.room === TOTAL_SERIES
      return {
        key: series.room,
        label: isTotal ? 'All rooms' : series.room,
        color: isTotal ? PALETTE[theme].total : seriesColor(theme, index - 1),
        strong: isTotal,
        points: series.points,
      }
    })
  }, [chart, theme])
  const tail = useMemo<LiveTail | null>(() => {
    if (!live || !chart || liveAt === null) return null
    const values: Record<string, number> = {}
    for (const series of chart.data.series)
      values[series.room] = series.room === TOTAL_SERIES ? total : (rooms.get(series.room)?.count ?? 0)
    return { at: liveAt, values }
  }, [live, chart, liveAt, total, rooms])

  const { from, to } = chartWindow(chart, live)
  return (
    <section className="panel" aria-label="Occupancy over time">
      <header className="panel-header">
        <h2>Occupancy over time</h2>
        <RangePicker label="Overview chart range" range={range} onChange={setRange} />
        <ChartExport
          subject="overview"
          title="Occupancy over time"
          hostRef={ref}
          table={() => (chart ? tableOfLines(lines, tail) : null)}
          from={from}
          to={to}
        />
      </header>
      <div ref={ref} className="chart-host">
        {!chart ? (
          <p className="chart-message chart-placeholder" style={{ height: HEIGHT + 28 }}>
            {error ?? 'Loading history…'}
          </p>
        ) : (
          <TimeChart
            label={`Occupancy over time of all rooms and the ${TOP_ROOMS} busiest`}
            from={from}
            to={to}
            width={width}
            height={HEIGHT}
            lines={lines}
            live={tail}
            marks={marks}
            onZoom={(window) => setRange({ kind: 'fixed', ...window })}
          />
        )}
      </div>
    </section>
  )
}
