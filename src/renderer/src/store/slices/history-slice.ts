import { TOTAL_SERIES, type Annotations, type GroupSeries, type Series } from '../../../../shared/history.ts'
import { needsRefetch, resolveRange, type TimeRange } from '../../lib/time-range.ts'
import { describeError } from '../outcome.ts'
import type { LiveSlice } from './live-slice.ts'
import type { SliceCreator } from './types.ts'

/** The rooms table's sparklines show this much history. */
export const SPARKLINE_SPAN_MS = 15 * 60_000
export const SPARKLINE_POINTS = 40
/** How long a sparkline is good for before it is fetched again. */
export const SPARKLINE_TTL_MS = 30_000
/** The engine takes at most this many rooms per series query. */
const ROOMS_PER_QUERY = 50

/** Each chart opens on the last hour, live. */
export const DEFAULT_RANGE: TimeRange = { kind: 'preset', preset: '1h' }

export interface ChartData<T> {
  /** What was asked: the chart is fetched again when any of it changes. */
  key: string
  from: number
  to: number
  points: number
  data: T
  /** Gaps and events over the same range, marked on the chart. */
  annotations: Annotations
  fetchedAt: number
}

export interface Sparkline {
  values: (number | null)[]
  fetchedAt: number
}

/** The two charts with a range of their own. */
export type ChartName = 'overview' | 'room'

export interface HistorySlice {
  overviewRange: TimeRange
  roomRange: TimeRange
  /** Where each chart's Reset goes: the range its zoom started from; null while not zoomed. */
  overviewResetTo: TimeRange | null
  roomResetTo: TimeRange | null
  overviewChart: ChartData<{ rooms: string[]; series: Series[] }> | null
  roomChart: ChartData<GroupSeries> | null
  chartError: string | null
  sparklines: Map<string, Sparkline>
  /** A range chosen as such (a preset or a custom window): the zoom, if any, is over. */
  setOverviewRange(range: TimeRange): void
  setRoomRange(range: TimeRange): void
  /** Zooms a chart into a window, remembering the range the first zoom started from. */
  zoomChart(chart: ChartName, window: { from: number; to: number }): void
  /** Back to the range before zooming (a live preset comes back live); the default hour if none. */
  resetChartRange(chart: ChartName): void
  /** Fetches the overview chart if its range, size or rooms changed, or time moved by a point. */
  loadOverviewChart(points: number, rooms: string[], now?: number): Promise<void>
  loadRoomChart(room: string, points: number, now?: number): Promise<void>
  /** Fetches sparklines for these rooms where missing or older than their time to live. */
  loadSparklines(rooms: string[], now?: number): Promise<void>
}

/** What a chart was fetched for; a new reading since (its gap or event) makes it stale. */
function keyOf(range: TimeRange, points: number, subject: string, readingAt: number | null): string {
  return `${JSON.stringify(range)}|${points}|${subject}|${readingAt}`
}

/** A step series sampled at equal times, for a sparkline (values hold until the next change). */
export function sampleSteps(series: Series, from: number, to: number, samples: number): (number | null)[] {
  const values: (number | null)[] = []
  let index = 0
  let current: number | null = null
  for (let i = 0; i < samples; i++) {
    const t = from + ((to - from) * i) / (samples - 1)
    while (index < series.points.length && (series.points[index]?.t ?? Infinity) <= t)
      current = series.points[index++]?.value ?? null
    values.push(current)
  }
  return values
}

const NO_ANNOTATIONS: Annotations = { spans: [], instants: [] }

export const createHistorySlice: SliceCreator<HistorySlice, Pick<LiveSlice, 'readingAt'>> = (set, get, api) => {
  // Marks are fetched with each chart; without them the chart still shows its gaps as breaks.
  const annotationsOver = (from: number, to: number): Promise<Annotations> =>
    api
      .call('history.annotations', { from, to })
      .then((marks) => marks ?? NO_ANNOTATIONS)
      .catch(() => NO_ANNOTATIONS)

  // Replies may come back out of order; only the latest request of each chart is applied.
  const latest = { overview: 0, room: 0 }
  const sparklinesInFlight = new Set<string>()

  return {
    overviewRange: DEFAULT_RANGE,
    roomRange: DEFAULT_RANGE,
    overviewChart: null,
    roomChart: null,
    chartError: null,
    sparklines: new Map(),
    overviewResetTo: null,
    roomResetTo: null,
    setOverviewRange: (overviewRange) => set({ overviewRange, overviewResetTo: null }),
    setRoomRange: (roomRange) => set({ roomRange, roomResetTo: null }),
    zoomChart(chart, window) {
      const state = get()
      const range: TimeRange = { kind: 'fixed', from: window.from, to: window.to }
      if (chart === 'overview')
        set({ overviewRange: range, overviewResetTo: state.overviewResetTo ?? state.overviewRange })
      else set({ roomRange: range, roomResetTo: state.roomResetTo ?? state.roomRange })
    },
    resetChartRange(chart) {
      const state = get()
      if (chart === 'overview') set({ overviewRange: state.overviewResetTo ?? DEFAULT_RANGE, overviewResetTo: null })
      else set({ roomRange: state.roomResetTo ?? DEFAULT_RANGE, roomResetTo: null })
    },
    async loadOverviewChart(points, rooms, now = Date.now()) {
      const { overviewRange, overviewChart, readingAt } = get()
      const key = keyOf(overviewRange, points, rooms.join('\n'), readingAt)
      if (overviewChart?.key === key && !needsRefetch(overviewRange, points, overviewChart.fetchedAt, now)) return
      const { from, to } = resolveRange(overviewRange, now)
      const request = ++latest.overview
      try {
        const [series, annotations] = await Promise.all([
          api.call('history.series', { rooms, from, to, points, includeTotal: true }),
          annotationsOver(from, to),
        ])
        if (request !== latest.overview) return
        set({
          overviewChart: { key, from, to, points, data: { rooms, series }, annotations, fetchedAt: now },
          chartError: null,
        })
      } catch (error) {
        if (request === latest.overview) set({ chartError: describeError(error) })
      }
    },
    async loadRoomChart(room, points, now = Date.now()) {
      const { roomRange, roomChart, readingAt } = get()
      const key = keyOf(roomRange, points, room, readingAt)
      if (roomChart?.key === key && !needsRefetch(roomRange, points, roomChart.fetchedAt, now)) return
      const { from, to } = resolveRange(roomRange, now)
      const request = ++latest.room
      try {
        const [data, annotations] = await Promise.all([
          api.call('history.groups', { room, from, to, points }),
          annotationsOver(from, to),
        ])
        if (request !== latest.room) return
        set({ roomChart: { key, from, to, points, data, annotations, fetchedAt: now }, chartError: null })
      } catch (error) {
        if (request === latest.room) set({ chartError: describeError(error) })
      }
    },
    async loadSparklines(rooms, now = Date.now()) {
      const known = get().sparklines
      const wanted = rooms.filter((room) => {
        const line = known.get(room)
        return !sparklinesInFlight.has(room) && (!line || now - line.fetchedAt >= SPARKLINE_TTL_MS)
      })
      if (wanted.length === 0) return
      for (const room of wanted) sparklinesInFlight.add(room)
      const from = now - SPARKLINE_SPAN_MS
      try {
        for (let start = 0; start < wanted.length; start += ROOMS_PER_QUERY) {
          const batch = wanted.slice(start, start + ROOMS_PER_QUERY)
          const series = await api.call('history.series', { rooms: batch, from, to: now, points: SPARKLINE_POINTS })
          const next = new Map(get().sparklines)
          for (const line of series) {
            if (line.room !== TOTAL_SERIES)
              next.set(line.room, { values: sampleSteps(line, from, now, SPARKLINE_POINTS), fetchedAt: now })
          }
          set({ sparklines: next })
        }
      } catch {
        // Sparklines are decoration: a failure leaves them blank, the status bar tells the real story.
      } finally {
        for (const room of wanted) sparklinesInFlight.delete(room)
      }
    },
  }
}
