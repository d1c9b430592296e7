import type { TimeFormat } from '../../lib/time-format.ts'
import { timeTicks } from './chart-math.ts'
import type { YScale } from './y-scale.ts'

/** The plot's place in the chart, in CSS pixels from the chart's top left. */
export interface PlotBox {
  left: number
  top: number
  width: number
  height: number
}

export interface AxisLabel {
  /** Where the label's tick is: x on the time axis, y on the value axis. */
  at: number
  text: string
}

export interface ChartAxes {
  /** The value axis' ticks: a grid line across the plot and a label at each. */
  values: AxisLabel[]
  /** The time axis' ticks, at round times of the zone shown, no closer than `TIME_TICK_SPACING_PX`. */
  times: AxisLabel[]
}

/** The least room (px) a time label gets: "03-04 14h" at 11 px with a gap each side. */
export const TIME_TICK_SPACING_PX = 110

/**
 * Where a line chart's axes put their ticks and what they read: values at the scale's round numbers
 * (already chosen by `YScale`), times at round times on the clocks of the zone shown. Pure, so the
 * axes drawn as plain SVG are laid out and tested without a browser.
 */
export function chartAxes(from: number, to: number, plot: PlotBox, yScale: YScale, time: TimeFormat): ChartAxes {
  const span = Math.max(1, to - from)
  const values = yScale.ticks.map((tick) => ({
    at: plot.top + plot.height - (Math.min(tick.at, yScale.top) / yScale.top) * plot.height,
    text: tick.label,
  }))
  const times = timeTicks(from, to, Math.max(2, Math.floor(plot.width / TIME_TICK_SPACING_PX)), time.offsetMs).map(
    (t) => ({ at: plot.left + ((t - from) / span) * plot.width, text: time.axis(t, to - from) }),
  )
  return { values, times }
}
