/** Something that happened over a time on the chart: an alert from when it fired until it resolved. */
export interface ChartBand {
  id: string
  /** When it started (ms). */
  at: number
  /** When it ended; null while it lasts (drawn to the chart's right edge). */
  until: number | null
  /** A few words drawn at its start: "lobby above 100". */
  label: string
  /** In words, for the chart's accessible name: "Alert lobby above 100 people, firing". */
  description: string
}

interface ChartBandsProps {
  bands: readonly ChartBand[]
  from: number
  to: number
  /** The plot area within the chart canvas, px. */
  left: number
  top: number
  width: number
  height: number
}

const LABEL_CHARS = 28

/** The bands in a chart's range, in words, for its accessible name (the drawing itself is hidden from it). */
export function bandsInWords(bands: readonly ChartBand[], from: number, to: number): string {
  const shown = bands.filter((band) => band.at <= to && (band.until ?? to) >= from)
  return shown.map((band) => band.description).join('; ')
}

/**
 * A layer of bands over the plot, drawn inside the chart canvas (so a saved picture has them too):
 * a line where each starts, a light band while it lasts and a dashed line where it ended. Alerts use
 * it, from firing to resolution; gaps and events are the chart's annotations, drawn by TimeChart.
 */
export function ChartBands({ bands, from, to, left, top, width, height }: ChartBandsProps) {
  const span = Math.max(1, to - from)
  const xOf = (t: number) => Math.min(width, Math.max(0, ((t - from) / span) * width))
  const shown = bands.filter((band) => band.at <= to && (band.until ?? to) >= from)
  if (shown.length === 0) return null
  return (
    <svg className="chart-bands" style={{ left, top }} width={width} height={height} aria-hidden="true">
      {shown.map((mark) => {
        const x0 = xOf(mark.at)
        const x1 = xOf(mark.until ?? to)
        const firing = mark.until === null
        const label = mark.label.length > LABEL_CHARS ? `${mark.label.slice(0, LABEL_CHARS - 1)}…` : mark.label
        return (
          <g
            key={mark.id}
            className={firing ? 'chart-band chart-band-firing' : 'chart-band chart-band-resolved'}
            data-alert={mark.description}
          >
            <rect x={x0} y={0} width={Math.max(1, x1 - x0)} height={height} className="chart-band-fill" />
            {mark.at >= from && <line x1={x0} x2={x0} y1={0} y2={height} className="chart-band-start" />}
            {!firing && (mark.until as number) <= to && (
              <line x1={x1} x2={x1} y1={0} y2={height} className="chart-band-end" />
            )}
            {mark.at >= from && (
              // Near the right edge the words go to the left of the line, so they stay on the chart.
              <text
                x={x0 > width * 0.6 ? x0 - 4 : x0 + 4}
                y={11}
                textAnchor={x0 > width * 0.6 ? 'end' : 'start'}
                className="chart-band-label"
              >
                {label}
              </text>
            )}
          </g>
        )
      })}
    </svg>
  )
}
