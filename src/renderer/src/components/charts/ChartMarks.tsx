/** Something that happened over a time on the chart: an alert from when it fired until it resolved. */
export interface ChartMark {
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

interface ChartMarksProps {
  marks: readonly ChartMark[]
  from: number
  to: number
  /** The plot area within the chart canvas, px. */
  left: number
  top: number
  width: number
  height: number
}

const LABEL_CHARS = 28

/** The marks in a chart's range, in words, for its accessible name (the drawing itself is hidden from it). */
export function marksInWords(marks: readonly ChartMark[], from: number, to: number): string {
  const shown = marks.filter((mark) => mark.at <= to && (mark.until ?? to) >= from)
  return shown.map((mark) => mark.description).join('; ')
}

/**
 * A layer of marks over the plot, drawn inside the chart canvas (so a saved picture has them too):
 * a line where each starts, a light band while it lasts and a dashed line where it ended. A generic
 * layer: alerts use it today; gap causes and event markers can be given the same shape.
 */
export function ChartMarks({ marks, from, to, left, top, width, height }: ChartMarksProps) {
  const span = Math.max(1, to - from)
  const xOf = (t: number) => Math.min(width, Math.max(0, ((t - from) / span) * width))
  const shown = marks.filter((mark) => mark.at <= to && (mark.until ?? to) >= from)
  if (shown.length === 0) return null
  return (
    <svg className="chart-marks" style={{ left, top }} width={width} height={height} aria-hidden="true">
      {shown.map((mark) => {
        const x0 = xOf(mark.at)
        const x1 = xOf(mark.until ?? to)
        const firing = mark.until === null
        const label = mark.label.length > LABEL_CHARS ? `${mark.label.slice(0, LABEL_CHARS - 1)}…` : mark.label
        return (
          <g
            key={mark.id}
            className={firing ? 'chart-mark chart-mark-firing' : 'chart-mark chart-mark-resolved'}
            data-alert={mark.description}
          >
            <rect x={x0} y={0} width={Math.max(1, x1 - x0)} height={height} className="chart-mark-band" />
            {mark.at >= from && <line x1={x0} x2={x0} y1={0} y2={height} className="chart-mark-start" />}
            {!firing && (mark.until as number) <= to && (
              <line x1={x1} x2={x1} y1={0} y2={height} className="chart-mark-end" />
            )}
            {mark.at >= from && (
              // Near the right edge the words go to the left of the line, so they stay on the chart.
              <text
                x={x0 > width * 0.6 ? x0 - 4 : x0 + 4}
                y={11}
                textAnchor={x0 > width * 0.6 ? 'end' : 'start'}
                className="chart-mark-label"
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
