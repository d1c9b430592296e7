import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import type { ExportRequest } from '../../../shared/history.ts'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'
import { useNow } from '../hooks/use-now.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import type { TimeFormat } from '../lib/time-format.ts'
import { exportRoomChoices } from '../lib/export-choices.ts'
import { EXPORT_LINK_ROOM_CHARS, exportRoomsInLink } from '../lib/url-state.ts'
import { failureText, type Outcome } from '../store/outcome.ts'
import type { ExportJob } from '../store/slices/export-slice.ts'

type Resolution = NonNullable<ExportRequest['resolution']>
const RESOLUTIONS: { value: Resolution; label: string }[] = [
  { value: 'raw', label: 'Every change' },
  { value: '10s', label: '10 seconds' },
  { value: '1m', label: '1 minute' },
  { value: '1h', label: '1 hour' },
]
const QUICK_RANGES = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 h', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
]
const ROOM_CHOICES = 200

function RoomChooser() {
  const time = useTimeFormat()
  const { rooms, knownRooms, loadKnownRooms, form, setExportForm } = useAppFields((state) => ({
    rooms: state.rooms,
    knownRooms: state.knownRooms,
    loadKnownRooms: state.loadKnownRooms,
    form: state.exportForm,
    setExportForm: state.setExportForm,
  }))
  const { roomSearch: search, includeEmptied } = form
  const chosen = useMemo(() => new Set(form.rooms), [form.rooms])
  const onChange = (next: Set<string>) => setExportForm({ rooms: [...next] })
  const [historyError, setHistoryError] = useState<string | null>(null)
  useEffect(() => {
    void loadKnownRooms().then((outcome) => setHistoryError(failureText(outcome)))
  }, [loadKnownRooms])
  const matches = useMemo(
    () => exportRoomChoices(rooms.values(), knownRooms, search, includeEmptied),
    [rooms, knownRooms, search, includeEmptied],
  )
  const emptiedCount = useMemo(
    () => exportRoomChoices([], knownRooms, '', true).filter((room) => !rooms.has(room.room)).length,
    [rooms, knownRooms],
  )
  const inLink = useMemo(() => exportRoomsInLink(form.rooms).length, [form.rooms])
  const toggle = (room: string) => {
    const next = new Set(chosen)
    if (next.has(room)) next.delete(room)
    else next.add(room)
    onChange(next)
  }
  const shown = matches.slice(0, ROOM_CHOICES)
  return (
    <div className="room-chooser">
      <div className="chooser-bar">
        <input
          type="search"
          className="search"
          placeholder="Find rooms"
          aria-label="Find rooms to export"
          value={search}
          onChange={(event) => setExportForm({ roomSearch: event.target.value })}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={includeEmptied}
            onChange={(event) => setExportForm({ includeEmptied: event.target.checked })}
          />
          Rooms that have emptied{knownRooms ? ` (${formatCount(emptiedCount)})` : ''}
        </label>
        <button
          type="button"
          className="ghost-button"
          disabled={matches.length === 0}
          onClick={() => onChange(new Set([...chosen, ...matches.map((choice) => choice.room)]))}
        >
          {search.trim()
            ? `Select all ${formatCount(matches.length)} found`
            : `Select all ${formatCount(matches.length)}`}
        </button>
        <button type="button" className="ghost-button" disabled={chosen.size === 0} onClick={() => onChange(new Set())}>
          Select none
        </button>
      </div>
      {historyError && (
        <p className="field-error" role="alert">
          Rooms that have emptied could not be listed: {historyError}
        </p>
      )}
      <ul className="choice-list" aria-label="Rooms to export">
        {shown.map((choice) => (
          <li key={choice.room}>
            <label className="checkbox">
              <input type="checkbox" checked={chosen.has(choice.room)} onChange={() => toggle(choice.room)} />
              <span className="choice-name">{choice.room}</span>
              {choice.present ? (
                <span className="muted num">{formatCount(choice.count)}</span>
              ) : (
                <span className="muted">
                  emptied{choice.emptiedAt !== null ? ` ${time.dateTime(choice.emptiedAt)}` : ''}
                </span>
              )}
            </label>
          </li>
        ))}
      </ul>
      <p className="field-hint">
        {matches.length > shown.length
          ? `Showing ${formatCount(shown.length)} of ${formatCount(matches.length)}: search to narrow. `
          : ''}
        {chosen.size
          ? `${formatCount(chosen.size)} chosen: ${[...chosen].slice(0, 5).join(', ')}${chosen.size > 5 ? '…' : ''}`
          : 'Choose at least one room.'}
      </p>
      {inLink < chosen.size && (
        <p className="field-hint" role="note">
          This page&rsquo;s address keeps the first {formatCount(inLink)} of the {formatCount(chosen.size)} rooms chosen
          (a link has room for about {formatCount(EXPORT_LINK_ROOM_CHARS)} characters of names): a reload or a copied
          link chooses only those. The export takes all {formatCount(chosen.size)}.
        </p>
      )}
    </div>
  )
}

/** What "Save as" answered, in words: where it went, nothing if cancelled, or why it failed. */
function savedMessage(outcome: Outcome<string | null>): { ok: boolean; text: string } | null {
  if (!outcome.ok) return { ok: false, text: outcome.error.message }
  return outcome.value ? { ok: true, text: `Saved to ${outcome.value}` } : null
}

function JobRow({ id, job }: { id: string; job: ExportJob }) {
  const time = useTimeFormat()
  const { cancelExport, saveExportAs, markExportDelivered, transport } = useAppFields((state) => ({
    cancelExport: state.cancelExport,
    saveExportAs: state.saveExportAs,
    markExportDelivered: state.markExportDelivered,
    // The desktop saves through a dialog (from this computer's engine or a shared server's); a web page downloads.
    transport: state.engine?.shell === 'desktop' ? 'electron' : 'web',
  }))
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const download = useRef<HTMLAnchorElement>(null)
  const { progress, request } = job
  const saveAs = () => saveExportAs(id).then((outcome) => setMessage(savedMessage(outcome)))
  // One click to a file: the export asked for from the form is handed over as soon as it is written.
  const deliverNow = progress.state === 'done' && job.deliver
  useEffect(() => {
    if (!deliverNow) return
    markExportDelivered(id)
    if (transport === 'electron') void saveAs()
    else download.current?.click()
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the file is ready
  }, [deliverNow])
  const fraction =
    progress.state === 'done'
      ? 1
      : progress.estimatedRows
        ? Math.min(1, progress.rows / Math.max(1, progress.estimatedRows))
        : null
  const what = request
    ? `${request.kind === 'occupancy' ? `Occupancy at ${RESOLUTIONS.find((r) => r.value === (request.resolution ?? '1m'))?.label.toLowerCase()}${request.layout === 'wide' ? ', a column per room' : ''}` : 'Presence sessions'}, ${time.dateTime(request.from)} → ${time.dateTime(request.to)}${request.rooms ? `, ${formatCount(request.rooms.length)} rooms` : ', all rooms'}`
    : 'Export'
  const stateLabel = { running: 'Writing…', done: 'Ready', cancelled: 'Cancelled', failed: 'Failed' }[progress.state]
  return (
    <li className={`job job-${progress.state}`} aria-label={`Export ${stateLabel}`}>
      <div className="job-head">
        <span className="job-what">{what}</span>
        <span className={`pill pill-${progress.state}`}>{stateLabel}</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
        aria-valuetext={`${formatCount(progress.rows)} rows${progress.estimatedRows ? ` of about ${formatCount(progress.estimatedRows)}` : ''}`}
      >
        <span
          className={fraction === null ? 'progress-fill indeterminate' : 'progress-fill'}
          style={fraction === null ? undefined : { width: `${fraction * 100}%` }}
        />
      </div>
      <div className="job-foot">
        <span className="num">
          {formatCount(progress.rows)} rows
          {progress.estimatedRows && progress.state === 'running'
            ? ` of about ${formatCount(progress.estimatedRows)}`
            : ''}
        </span>
        {progress.error && <span className="field-error">{progress.error}</span>}
        <span className="status-spacer" />
        {progress.state === 'running' && (
          <button
            type="button"
            className="ghost-button"
            onClick={async () => {
              const outcome = await cancelExport(id)
              if (!outcome.ok) setMessage({ ok: false, text: outcome.error.message })
            }}
          >
            Cancel
          </button>
        )}
        {progress.state === 'done' &&
          (transport === 'electron' ? (
            <button type="button" className="button" onClick={() => void saveAs()}>
              Save as…
            </button>
          ) : (
            <a ref={download} className="button" href={`./exports/${encodeURIComponent(id)}`} download>
              Download CSV
            </a>
          ))}
      </div>
      {(message || job.savedTo) && (
        <p
          className={message && !message.ok ? 'field-error' : 'field-ok'}
          role={message && !message.ok ? 'alert' : 'status'}
        >
          {message?.text ?? `Saved to ${job.savedTo}`}
        </p>
      )}
    </li>
  )
}

/** A range input's text for a time, and the time it reads as (the text has whole seconds). */
function typedTime(time: TimeFormat, ms: number): { text: string; ms: number } {
  const text = time.input(ms)
  const read = time.parse(text, ms)
  return { text, ms: read.ok ? read.ms : ms }
}

export function ExportView() {
  const time = useTimeFormat()
  const now = useNow(60_000)
  const { jobs, startExport, connected, desktop } = useAppFields((state) => ({
    jobs: state.exportJobs,
    startExport: state.startExport,
    connected: state.status?.profileId !== null && state.status?.profileId !== undefined,
    desktop: state.engine?.shell === 'desktop',
  }))
  const { form, setExportForm } = useAppFields((state) => ({
    form: state.exportForm,
    setExportForm: state.setExportForm,
  }))
  const { kind, resolution, layout, allRooms, deliver } = form
  const untilNow = form.to === null
  const chosen = form.rooms
  // The range inputs hold what was typed, in the console's zone, beside the time it last read as; the
  // store (and the page's address) hold that time. A different time there (from the address) is shown.
  const [fromInput, setFromInput] = useState(() => typedTime(time, form.from ?? Date.now() - 3_600_000))
  const [toInput, setToInput] = useState(() => typedTime(time, form.to ?? Date.now()))
  const from = form.from === null || form.from === fromInput.ms ? fromInput.text : time.input(form.from)
  const to = form.to === null || form.to === toInput.ms ? toInput.text : time.input(form.to)
  const setFrom = (text: string) => {
    const read = time.parse(text, Date.now())
    setFromInput((input) => ({ text, ms: read.ok ? read.ms : input.ms }))
    if (read.ok) setExportForm({ from: read.ms })
  }
  const setTo = (text: string) => {
    const read = time.parse(text, Date.now())
    setToInput((input) => ({ text, ms: read.ok ? read.ms : input.ms }))
    if (read.ok) setExportForm({ to: read.ms })
  }
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const wide = kind === 'occupancy' && layout === 'wide'

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    const now = Date.now()
    const fromTime = time.parse(from, now)
    const toTime = untilNow ? ({ ok: true, ms: now } as const) : time.parse(to, now)
    if (!fromTime.ok) return setError(`From: ${fromTime.error}`)
    if (!toTime.ok) return setError(`To: ${toTime.error}`)
    if (fromTime.ms >= toTime.ms) return setError('The start must be before the end')
    if (!allRooms && chosen.length === 0) return setError('Choose at least one room, or export all rooms')
    setError(null)
    setBusy(true)
    const request: ExportRequest = {
      kind,
      from: fromTime.ms,
      // "Until now" includes the sync of this very second.
      to: untilNow ? toTime.ms + 1000 : toTime.ms,
      ...(kind === 'occupancy' ? { resolution, layout } : {}),
      ...(allRooms ? {} : { rooms: chosen }),
    }
    const outcome = await startExport(request, { deliver })
    setBusy(false)
    if (!outcome.ok) setError(outcome.error.message)
  }

  return (
    <ViewFrame
      title="Export"
      description="Occupancy history and presence sessions as CSV (RFC 4180). Times in the files are UTC (ISO 8601), whatever zone the console shows."
    >
      {!connected && (
        <p className="banner banner-info">History is kept per connection: connect to an app to export its history.</p>
      )}
      <form className="panel export-form" aria-label="Export history" onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>What</legend>
          <div className="radio-row">
            <label>
              <input
                type="radio"
                name="kind"
                checked={kind === 'occupancy'}
                onChange={() => setExportForm({ kind: 'occupancy' })}
              />
              Occupancy per room over time
            </label>
            <label>
              <input
                type="radio"
                name="kind"
                checked={kind === 'sessions'}
                onChange={() => setExportForm({ kind: 'sessions' })}
              />
              Presence sessions (who, where, joined, left)
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Rooms</legend>
          <div className="radio-row">
            <label>
              <input type="radio" name="rooms" checked={allRooms} onChange={() => setExportForm({ allRooms: true })} />
              All rooms
            </label>
            <label>
              <input
                type="radio"
                name="rooms"
                checked={!allRooms}
                onChange={() => setExportForm({ allRooms: false })}
              />
              Chosen rooms
            </label>
          </div>
          {!allRooms && <RoomChooser />}
        </fieldset>
        <fieldset>
          <legend>Range</legend>
          <div className="field-row">
            <label>
              From
              <input
                type="text"
                className="time-input"
                spellCheck={false}
                aria-describedby="export-range-hint"
                value={from}
                onChange={(event) => setFrom(event.target.value)}
              />
            </label>
            <label>
              To
              <input
                type="text"
                className="time-input"
                spellCheck={false}
                aria-describedby="export-range-hint"
                disabled={untilNow}
                value={untilNow ? 'now' : to}
                onChange={(event) => setTo(event.target.value)}
              />
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={untilNow}
                onChange={(event) => {
                  if (event.target.checked) setExportForm({ to: null })
                  else setTo(time.input(Date.now()))
                }}
              />
              Until now
            </label>
            <div className="quick-ranges" role="group" aria-label="Quick ranges">
              {QUICK_RANGES.map((quick) => (
                <button
                  key={quick.label}
                  type="button"
                  className="ghost-button"
                  onClick={() => {
                    setFrom(time.input(Date.now() - quick.ms))
                    setExportForm({ to: null })
                  }}
                >
                  {quick.label}
                </button>
              ))}
            </div>
          </div>
          <p id="export-range-hint" className="field-hint">
            YYYY-MM-DD HH:MM:SS (seconds optional) or now, in {time.label(now)}. The file&rsquo;s times are UTC.
          </p>
        </fieldset>
        <fieldset disabled={kind !== 'occupancy'}>
          <legend>Layout</legend>
          <div className="radio-row">
            <label>
              <input
                type="radio"
                name="layout"
                checked={layout === 'long'}
                onChange={() => setExportForm({ layout: 'long' })}
              />
              A row per room and time (with min, max, average and groups)
            </label>
            <label>
              <input
                type="radio"
                name="layout"
                checked={layout === 'wide'}
                onChange={() =>
                  setExportForm(resolution === 'raw' ? { layout: 'wide', resolution: '1m' } : { layout: 'wide' })
                }
              />
              A column per room, for spreadsheets (time, then one count per room; blank where unknown)
            </label>
          </div>
        </fieldset>
        <fieldset disabled={kind !== 'occupancy'}>
          <legend>Resolution</legend>
          <div className="segmented" role="radiogroup" aria-label="Resolution">
            {RESOLUTIONS.map((option) => (
              <button
                key={option.value}
                type="button"
                role="radio"
                aria-checked={resolution === option.value}
                className={resolution === option.value ? 'on' : undefined}
                disabled={wide && option.value === 'raw'}
                title={wide && option.value === 'raw' ? 'A column per room needs a fixed interval' : undefined}
                onClick={() => setExportForm({ resolution: option.value })}
              >
                {option.label}
              </button>
            ))}
          </div>
        </fieldset>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={deliver}
              onChange={(event) => setExportForm({ deliver: event.target.checked })}
            />
            {desktop ? 'Ask where to save it as soon as it is written' : 'Download it as soon as it is written'}
          </label>
          <span className="status-spacer" />
          <button type="submit" className="button primary" disabled={busy || !connected}>
            Export CSV
          </button>
        </div>
      </form>
      {jobs.size > 0 && (
        <section className="panel" aria-label="Exports">
          <header className="panel-header">
            <h2>Exports</h2>
          </header>
          <ul className="job-list">
            {[...jobs.entries()].reverse().map(([id, job]) => (
              <JobRow key={id} id={id} job={job} />
            ))}
          </ul>
        </section>
      )}
    </ViewFrame>
  )
}
