import { useId, useRef, useState } from 'react'
import { useNow } from '../../hooks/use-now.ts'
import { useRovingIndex } from '../../hooks/use-roving-index.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { rangeCaption } from '../../lib/range-caption.ts'
import { PRESET_LABELS, PRESETS, resolveRange, zoomRange, type TimeRange } from '../../lib/time-range.ts'

interface RangePickerProps {
  label: string
  range: TimeRange
  /** Where Reset goes after a zoom (null: the last hour, live). */
  resetTo: TimeRange | null
  /** A range chosen as such: a preset or a custom window. */
  onChange(range: TimeRange): void
  onZoom(window: { from: number; to: number }): void
  onReset(): void
}

/**
 * Presets, a custom window and zoom buttons (the keyboard's way to zoom; the mouse can also drag on the
 * chart). The presets are one tab stop, chosen with the arrow keys as radio buttons are. A fixed window
 * says it is not live and offers the way back: to the live range a zoom started from, or the last hour.
 */
export function RangePicker({ label, range, resetTo, onChange, onZoom, onReset }: RangePickerProps) {
  const time = useTimeFormat()
  // The zone's offset is named for the time shown; a minute is fine enough to follow a change of clocks.
  const now = useNow(60_000)
  const hintId = useId()
  const [customOpen, setCustomOpen] = useState(false)
  const [draft, setDraft] = useState<{ from: string; to: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const openCustom = () => {
    const window = resolveRange(range, clockNow())
    setDraft({ from: time.input(window.from), to: range.kind === 'preset' ? 'now' : time.input(window.to) })
    setError(null)
    setCustomOpen(true)
  }
  const applyCustom = () => {
    const now = clockNow()
    const from = time.parse(draft?.from ?? '', now)
    const to = time.parse(draft?.to ?? '', now)
    if (!from.ok) return setError(`From: ${from.error}`)
    if (!to.ok) return setError(`To: ${to.error}`)
    if (from.ms >= to.ms) return setError('"From" must be before "to"')
    // A window is shown up to now at most: one starting later would be drawn backwards.
    if (from.ms >= now) return setError('"From" must be before now: nothing later is known yet')
    setError(null)
    setCustomOpen(false)
    onChange({ kind: 'fixed', from: from.ms, to: Math.min(to.ms, now) })
  }
  const zoom = (factor: number) => {
    const now = clockNow()
    const window = resolveRange(range, now)
    onZoom(zoomRange(window.from, window.to, factor, now))
  }

  // The options: each preset, then Custom (checked for any fixed window, zoomed or chosen).
  const options = [...PRESETS, 'custom'] as const
  const checkedIndex = range.kind === 'preset' ? PRESETS.indexOf(range.preset) : PRESETS.length
  const choose = (index: number) => {
    const option = options[index]
    if (option === 'custom') openCustom()
    else if (option) onChange({ kind: 'preset', preset: option })
  }
  const groupRef = useRef<HTMLDivElement>(null)
  // The tab stop is the checked option, as in any radio group.
  const roving = useRovingIndex(groupRef, {
    count: options.length,
    orientation: 'horizontal',
    wrap: true,
    stop: checkedIndex,
  })
  const zoomedFromLive = range.kind === 'fixed' && resetTo?.kind !== 'fixed'

  return (
    <div className="range-picker" role="group" aria-label={label}>
      <div
        ref={groupRef}
        className="segmented"
        role="radiogroup"
        aria-label="Time range"
        onKeyDown={(event) => {
          const target = roving.onKeyDown(event)
          // Arrows choose as they move (a radio group's way); Custom only opens when chosen.
          if (target !== null && options[target] !== 'custom') choose(target)
        }}
      >
        {options.map((option, index) => {
          const checked = index === checkedIndex
          return (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={checked}
              className={checked ? 'on' : undefined}
              onClick={() => choose(index)}
              {...roving.itemProps(index)}
            >
              {option === 'custom' ? 'Custom' : PRESET_LABELS[option]}
            </button>
          )
        })}
      </div>
      <div className="zoom-buttons">
        <button type="button" className="icon-button" aria-label="Zoom in" title="Zoom in" onClick={() => zoom(0.5)}>
          +
        </button>
        <button type="button" className="icon-button" aria-label="Zoom out" title="Zoom out" onClick={() => zoom(2)}>
          −
        </button>
      </div>
      <span className="range-caption" aria-live="polite">
        {rangeCaption(range, time)}
        {range.kind === 'fixed' && <span className="not-live"> · not live</span>}
      </span>
      <span
        className="range-zone"
        role="note"
        aria-label="Time zone"
        title="Times on this chart are in this zone (Settings → Time zone)"
      >
        {time.label(range.kind === 'fixed' ? range.to : now)}
      </span>
      {range.kind === 'fixed' && (
        <button type="button" className="ghost-button back-to-live" onClick={onReset}>
          {zoomedFromLive ? 'Back to live' : 'Reset zoom'}
        </button>
      )}
      {customOpen && draft && (
        <div className="custom-range" role="group" aria-label="Custom range">
          <label>
            From
            <input
              type="text"
              className="time-input"
              spellCheck={false}
              aria-describedby={hintId}
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.target.value })}
            />
          </label>
          <label>
            To
            <input
              type="text"
              className="time-input"
              spellCheck={false}
              aria-describedby={hintId}
              value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.target.value })}
            />
          </label>
          <button type="button" className="button" onClick={applyCustom}>
            Show
          </button>
          <button type="button" className="ghost-button" onClick={() => setCustomOpen(false)}>
            Cancel
          </button>
          <span id={hintId} className="field-hint">
            YYYY-MM-DD HH:MM:SS (seconds optional) or now, in {time.label(now)}
          </span>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </div>
      )}
    </div>
  )
}

/** This machine's clock, read in event handlers only. */
function clockNow(): number {
  return Date.now()
}
