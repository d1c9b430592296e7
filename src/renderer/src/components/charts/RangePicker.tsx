import { useId, useState } from 'react'
import { useNow } from '../../hooks/use-now.ts'
import { useTimeFormat } from '../../hooks/use-time-format.ts'
import { PRESET_LABELS, PRESETS, resolveRange, zoomRange, type TimeRange } from '../../lib/time-range.ts'

interface RangePickerProps {
  label: string
  range: TimeRange
  onChange(range: TimeRange): void
}

/** Presets, a custom window and zoom buttons (the keyboard's way to zoom; the mouse can also drag on the chart). */
export function RangePicker({ label, range, onChange }: RangePickerProps) {
  const time = useTimeFormat()
  // The zone's offset is named for the time shown; a minute is fine enough to follow a change of clocks.
  const now = useNow(60_000)
  const hintId = useId()
  const [customOpen, setCustomOpen] = useState(false)
  const [draft, setDraft] = useState<{ from: string; to: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const openCustom = () => {
    const window = resolveRange(range, Date.now())
    setDraft({ from: time.input(window.from), to: range.kind === 'preset' ? 'now' : time.input(window.to) })
    setError(null)
    setCustomOpen(true)
  }
  const applyCustom = () => {
    const now = Date.now()
    const from = time.parse(draft?.from ?? '', now)
    const to = time.parse(draft?.to ?? '', now)
    if (!from.ok) return setError(`From: ${from.error}`)
    if (!to.ok) return setError(`To: ${to.error}`)
    if (from.ms >= to.ms) return setError('"From" must be before "to"')
    setError(null)
    setCustomOpen(false)
    onChange({ kind: 'fixed', from: from.ms, to: Math.min(to.ms, now) })
  }
  const zoom = (factor: number) => {
    const now = Date.now()
    const window = resolveRange(range, now)
    onChange({ kind: 'fixed', ...zoomRange(window.from, window.to, factor, now) })
  }

  return (
    <div className="range-picker" role="group" aria-label={label}>
      <div className="segmented" role="radiogroup" aria-label="Time range">
        {PRESETS.map((preset) => {
          const checked = range.kind === 'preset' && range.preset === preset
          return (
            <button
              key={preset}
              type="button"
              role="radio"
              aria-checked={checked}
              className={checked ? 'on' : undefined}
              onClick={() => onChange({ kind: 'preset', preset })}
            >
              {PRESET_LABELS[preset]}
            </button>
          )
        })}
        <button
          type="button"
          role="radio"
          aria-checked={range.kind === 'fixed'}
          className={range.kind === 'fixed' ? 'on' : undefined}
          onClick={openCustom}
        >
          Custom
        </button>
      </div>
      <div className="zoom-buttons">
        <button type="button" className="icon-button" aria-label="Zoom in" title="Zoom in" onClick={() => zoom(0.5)}>
          +
        </button>
        <button type="button" className="icon-button" aria-label="Zoom out" title="Zoom out" onClick={() => zoom(2)}>
          −
        </button>
        {range.kind === 'fixed' && (
          <button type="button" className="ghost-button" onClick={() => onChange({ kind: 'preset', preset: '1h' })}>
            Reset
          </button>
        )}
      </div>
      <span className="range-caption" aria-live="polite">
        {range.kind === 'fixed'
          ? `${time.dateTime(range.from)} → ${time.dateTime(range.to)}`
          : `Last ${PRESET_LABELS[range.preset]}, live`}
      </span>
      <span
        className="range-zone"
        role="note"
        aria-label="Time zone"
        title="Times on this chart are in this zone (Settings → Time zone)"
      >
        {time.label(range.kind === 'fixed' ? range.to : now)}
      </span>
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
