import { useEffect, useMemo } from 'react'
import { useElementWidth } from '../hooks/use-element-width.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { isLive } from '../lib/time-range.ts'
import { CHART_PLOT_INSET, TimeChart, type LiveTail, type StackedSeries } from './charts/TimeChart.tsx'
import { ChartExport } from './charts/ChartExport.tsx'
import { chartWindow } from './charts/chart-window.ts'
import { stepRows } from './charts/chart-series.ts'
import { tableOfStacked } from '../lib/chart-table.ts'
import { alertMarks } from '../lib/alert-marks.ts'
import { groupColor, PALETTE } from './charts/palette.ts'
import { RangePicker } from './charts/RangePicker.tsx'
import { useThemeName } from './theme.tsx'

const HEIGHT = 220
const PEOPLE = '__people__'

/** A room's occupancy over time, its subgroups stacked, fed at the chart's width in points. */
export function RoomChart({ room, groupOrder }: { room: string; groupOrder: string[] }) {
  const theme = useThemeName()
  const [ref, width] = useElementWidth<HTMLDivElement>()
  const points = Math.min(5000, Math.max(2, width - CHART_PLOT_INSET - 1))
  const { range, resetTo, chart, error, liveAt, summary, setRange, zoom, reset, loadChart, alertLog } = useAppFields(
    (state) => ({
      range: state.roomRange,
      resetTo: state.roomResetTo,
      chart: state.roomChart,
      error: state.chartError,
      liveAt: state.liveAt,
      summary: state.rooms.get(room),
      setRange: state.setRoomRange,
      zoom: state.zoomChart,
      reset: state.resetChartRange,
      loadChart: state.loadRoomChart,
      alertLog: state.alertLog,
    }),
  )
  const marks = useMemo(() => alertMarks(alertLog, room), [alertLog, room])
  useEffect(() => {
    if (width > 0) void loadChart(room, points)
  }, [loadChart, room, points, range, liveAt, width])

  const shown = chart && chart.data.room === room ? chart : null
  // Live while the range reaches the latest sync (the engine's clock, not this machine's).
  const live = shown !== null && liveAt !== null && isLive(range)
  const stacked = useMemo<StackedSeries>(() => {
    const groups =
      shown && shown.data.groups.length > 0
        ? [...shown.data.groups].sort((a, b) => groupOrder.indexOf(a) - groupOrder.indexOf(b))
        : []
    const keys = groups.length
      ? groups.map((group) => ({
          key: group,
          label: group,
          color: groupColor(theme, group, Math.max(0, groupOrder.indexOf(group))),
        }))
      : [{ key: PEOPLE, label: 'People', color: PALETTE[theme].series[0] }]
    const rows: Record<string, number | null>[] = (shown?.data.points ?? []).map((point) => {
      const row: Record<string, number | null> = { t: point.t }
      for (const key of keys)
        row[key.key] = point.total === null ? null : groups.length ? (point.groups[key.key] ?? 0) : point.total
      return row
    })
    return { keys, rows }
  }, [shown, groupOrder, theme])
  // A fixed window's areas end at its end (or the latest sync, if sooner), like the overview's lines.
  const end = shown === null || live ? null : Math.min(shown.to, liveAt ?? shown.to)
  const drawn = useMemo<StackedSeries>(
    () => ({ keys: stacked.keys, rows: stepRows(stacked.rows, end) }),
    [stacked, end],
  )
  const tail = useMemo<LiveTail | null>(() => {
    if (!live || liveAt === null) return null
    const values: Record<string, number> = {}
    for (const key of stacked.keys)
      values[key.key] = key.key === PEOPLE ? (summary?.count ?? 0) : (summary?.groups[key.key] ?? 0)
    return { at: liveAt, values }
  }, [live, liveAt, stacked, summary])

  const { from, to } = chartWindow(shown, live)
  return (
    <section className="panel" aria-label="Room occupancy over time">
      <header className="panel-header">
        <h2>Occupancy by group</h2>
        <RangePicker
          label="Room chart range"
          range={range}
          resetTo={resetTo}
          onChange={setRange}
          onZoom={(window) => zoom('room', window)}
          onReset={() => reset('room')}
        />
        <ChartExport
          subject={`room-${room}`}
          title={`Occupancy of ${room} by group`}
          hostRef={ref}
          table={() => (shown ? tableOfStacked(stacked, tail) : null)}
          from={from}
          to={to}
        />
      </header>
      <div ref={ref} className="chart-host">
        {!shown ? (
          <p className="chart-message chart-placeholder" style={{ height: HEIGHT + 28 }}>
            {error ?? 'Loading history…'}
          </p>
        ) : (
          <TimeChart
            label={`Occupancy of ${room} over time, by group`}
            from={from}
            to={to}
            width={width}
            height={HEIGHT}
            stacked={drawn}
            live={tail}
            annotations={shown.annotations}
            bands={marks}
            onZoom={(window) => zoom('room', window)}
          />
        )}
      </div>
    </section>
  )
}
