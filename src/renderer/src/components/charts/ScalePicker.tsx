import { useRef } from 'react'
import { useRovingIndex } from '../../hooks/use-roving-index.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { CHART_SCALES } from '../../store/slices/ui-slice.ts'
import { SCALE_LABELS } from './y-scale.ts'

const DESCRIPTIONS = {
  linear: 'People, on an even scale',
  log: 'People on a log scale: rooms of 10 and of 10,000 both readable',
  share: 'Each room as a share of everyone present',
} as const

/** The overview chart's vertical scale: one tab stop, arrows choose, as radio buttons do. */
export function ScalePicker() {
  const { scale, setScale } = useAppFields((state) => ({ scale: state.chartScale, setScale: state.setChartScale }))
  const ref = useRef<HTMLDivElement>(null)
  const checked = CHART_SCALES.indexOf(scale)
  const roving = useRovingIndex(ref, {
    count: CHART_SCALES.length,
    orientation: 'horizontal',
    wrap: true,
    stop: checked,
  })
  return (
    <div
      ref={ref}
      className="segmented"
      role="radiogroup"
      aria-label="Scale"
      onKeyDown={(event) => {
        const target = roving.onKeyDown(event)
        const next = target === null ? undefined : CHART_SCALES[target]
        if (next) setScale(next)
      }}
    >
      {CHART_SCALES.map((kind, index) => (
        <button
          key={kind}
          type="button"
          role="radio"
          aria-checked={kind === scale}
          className={kind === scale ? 'on' : undefined}
          title={DESCRIPTIONS[kind]}
          onClick={() => setScale(kind)}
          {...roving.itemProps(index)}
        >
          {SCALE_LABELS[kind]}
        </button>
      ))}
    </div>
  )
}
