import { useId, useState, type FormEvent } from 'react'
import {
  AlertRuleInputSchema,
  describeRule,
  type AlertKind,
  type AlertRule,
  type AlertRuleInput,
} from '../../../shared/alerts.ts'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'
import { askNoticePermission, noticePermission, type NoticePermission } from '../lib/browser-notifications.ts'
import { useAppStore } from '../store/context.tsx'
import { failureText } from '../store/outcome.ts'

const KIND_LABELS: Record<AlertKind, string> = {
  'room-above': 'A room above a number of people',
  'room-below': 'A room below a number of people',
  'room-change': 'A room changing fast',
  'sync-stale': 'Sync stale',
  'broadcast-failing': 'Broadcaster failing',
}

/** The form's fields as typed (text), whatever the kind; only the kind's own are sent. */
interface Draft {
  id?: string
  kind: AlertKind
  enabled: boolean
  room: string
  people: string
  percent: string
  minutes: string
  atLeast: string
  seconds: string
}

const EMPTY_DRAFT: Draft = {
  kind: 'room-above',
  enabled: true,
  room: '',
  people: '100',
  percent: '50',
  minutes: '5',
  atLeast: '10',
  seconds: '60',
}

function draftOf(rule: AlertRule): Draft {
  const draft: Draft = { ...EMPTY_DRAFT, id: rule.id, kind: rule.kind, enabled: rule.enabled }
  if (rule.kind === 'room-above' || rule.kind === 'room-below')
    return { ...draft, room: rule.room ?? '', people: String(rule.people) }
  if (rule.kind === 'room-change')
    return {
      ...draft,
      room: rule.room ?? '',
      percent: String(rule.percent),
      minutes: String(rule.minutes),
      atLeast: String(rule.atLeast),
    }
  return { ...draft, seconds: String(rule.seconds) }
}

/** A typed number; an empty field is no number (not 0), so it is refused rather than saved as 0. */
function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text)
}

type FieldName = 'room' | 'people' | 'percent' | 'minutes' | 'atLeast' | 'seconds'
type FieldErrors = Partial<Record<FieldName, string>>

/** The draft checked against the contract before it is sent: each refusal in words, by its field. */
function checkRule(draft: Draft): { ok: true; rule: AlertRuleInput } | { ok: false; errors: FieldErrors } {
  const rule = ruleOf(draft)
  const parsed = AlertRuleInputSchema.safeParse(rule)
  if (parsed.success) return { ok: true, rule }
  const errors: FieldErrors = {}
  for (const issue of parsed.error.issues) errors[String(issue.path.at(-1)) as FieldName] ??= issue.message
  return { ok: false, errors }
}

/** The rule the draft describes; numbers the engine checks (and refuses in words) against the contract. */
function ruleOf(draft: Draft): AlertRuleInput {
  const room = draft.room.trim() || null
  const base = { ...(draft.id ? { id: draft.id } : {}), enabled: draft.enabled }
  switch (draft.kind) {
    case 'room-above':
    case 'room-below':
      return { ...base, kind: draft.kind, room, people: numberOf(draft.people) }
    case 'room-change':
      return {
        ...base,
        kind: 'room-change',
        room,
        percent: numberOf(draft.percent),
        minutes: numberOf(draft.minutes),
        atLeast: numberOf(draft.atLeast),
      }
    case 'sync-stale':
      return { ...base, kind: 'sync-stale', seconds: numberOf(draft.seconds) }
    case 'broadcast-failing':
      return { ...base, kind: 'broadcast-failing', seconds: numberOf(draft.seconds) }
  }
}

function NumberField({
  label,
  value,
  error,
  onChange,
}: {
  label: string
  value: string
  error?: string
  onChange(value: string): void
}) {
  const errorId = useId()
  // The error describes the input from outside its label, so the label alone names it.
  return (
    <span className="field-with-error">
      <label>
        {label}
        <input
          type="number"
          inputMode="numeric"
          value={value}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
      </label>
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </span>
  )
}

function RuleForm({ profileId, editing, onDone }: { profileId: string; editing: AlertRule | null; onDone(): void }) {
  const { saveAlertRule, rooms } = useAppFields((state) => ({ saveAlertRule: state.saveAlertRule, rooms: state.rooms }))
  const [draft, setDraft] = useState<Draft>(() => (editing ? draftOf(editing) : EMPTY_DRAFT))
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const roomsListId = useId()
  const change = (fields: Partial<Draft>) => setDraft({ ...draft, ...fields })
  const checked = checkRule(draft)
  const described = checked.ok ? `${describeRule(checked.rule)}.` : ''
  const roomKind = draft.kind === 'room-above' || draft.kind === 'room-below' || draft.kind === 'room-change'

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    setFieldErrors(checked.ok ? {} : checked.errors)
    if (!checked.ok) return setError(null)
    setBusy(true)
    const outcome = await saveAlertRule(profileId, checked.rule)
    setBusy(false)
    setError(failureText(outcome))
    if (!outcome.ok) return
    // Asked once, on the operator's own click, so the browser can show the prompt.
    void askNoticePermission()
    setDraft(EMPTY_DRAFT)
    onDone()
  }

  return (
    <form
      className="card alert-rule-form"
      aria-label={editing ? 'Edit the alert rule' : 'Add an alert rule'}
      onSubmit={onSubmit}
      noValidate
    >
      <h2>{editing ? 'Edit the rule' : 'Add a rule'}</h2>
      <div className="field-row">
        <label>
          When
          <select
            aria-label="When"
            value={draft.kind}
            onChange={(event) => change({ kind: event.target.value as AlertKind })}
          >
            {(Object.keys(KIND_LABELS) as AlertKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        {roomKind && (
          <span className="field-with-error">
            <label>
              Room
              <input
                type="text"
                list={roomsListId}
                placeholder="Any room"
                value={draft.room}
                aria-invalid={Boolean(fieldErrors.room)}
                aria-describedby={fieldErrors.room ? `${roomsListId}-error` : undefined}
                onChange={(event) => change({ room: event.target.value })}
              />
              <datalist id={roomsListId}>
                {[...rooms.keys()].slice(0, 200).map((room) => (
                  <option key={room} value={room} />
                ))}
              </datalist>
            </label>
            {fieldErrors.room && (
              <span id={`${roomsListId}-error`} className="field-error">
                {fieldErrors.room}
              </span>
            )}
          </span>
        )}
        {(draft.kind === 'room-above' || draft.kind === 'room-below') && (
          <NumberField
            label="People"
            value={draft.people}
            error={fieldErrors.people}
            onChange={(people) => change({ people })}
          />
        )}
        {draft.kind === 'room-change' && (
          <>
            <NumberField
              label="By more than, %"
              value={draft.percent}
              error={fieldErrors.percent}
              onChange={(percent) => change({ percent })}
            />
            <NumberField
              label="Within, minutes"
              value={draft.minutes}
              error={fieldErrors.minutes}
              onChange={(minutes) => change({ minutes })}
            />
            <NumberField
              label="And at least, people"
              value={draft.atLeast}
              error={fieldErrors.atLeast}
              onChange={(atLeast) => change({ atLeast })}
            />
          </>
        )}
        {(draft.kind === 'sync-stale' || draft.kind === 'broadcast-failing') && (
          <NumberField
            label={draft.kind === 'sync-stale' ? 'For more than, seconds' : 'For at least, seconds'}
            value={draft.seconds}
            error={fieldErrors.seconds}
            onChange={(seconds) => change({ seconds })}
          />
        )}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => change({ enabled: event.target.checked })}
          />
          On
        </label>
      </div>
      <p className="field-hint">
        {roomKind ? 'Leave the room empty to watch every room. ' : ''}
        {described}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <span className="status-spacer" />
        {editing && (
          <button type="button" className="ghost-button" onClick={onDone}>
            Cancel
          </button>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {editing ? 'Save the rule' : 'Add the rule'}
        </button>
      </div>
    </form>
  )
}

function RuleList({
  profileId,
  rules,
  onEdit,
}: {
  profileId: string
  rules: AlertRule[]
  onEdit(rule: AlertRule): void
}) {
  const deleteAlertRule = useAppStore((state) => state.deleteAlertRule)
  const [error, setError] = useState<string | null>(null)
  return (
    <section className="card" aria-label="Alert rules">
      <h2>Rules</h2>
      {rules.length === 0 ? (
        <p className="muted">No rules yet: add one below.</p>
      ) : (
        <ul className="alert-rules">
          {rules.map((rule) => (
            <li key={rule.id} aria-label={describeRule(rule)}>
              <span className="alert-rule-text">{describeRule(rule)}</span>
              {!rule.enabled && <span className="pill">off</span>}
              <button
                type="button"
                className="ghost-button"
                aria-label={`Edit ${describeRule(rule)}`}
                onClick={() => onEdit(rule)}
              >
                Edit
              </button>
              <button
                type="button"
                className="ghost-button"
                aria-label={`Delete ${describeRule(rule)}`}
                onClick={async () => setError(failureText(await deleteAlertRule(profileId, rule.id)))}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

const PERMISSION_WORDS: Record<NoticePermission, string> = {
  granted: 'This browser shows a notification when an alert fires or resolves.',
  denied: 'This browser blocks Headcount’s notifications: allow them in the site’s settings to be told here.',
  default: 'This browser has not been asked yet to show notifications.',
  unsupported: 'This browser cannot show notifications: the alert log below still records every alert.',
}

function NotificationState() {
  const desktop = useAppStore((state) => state.engine?.shell === 'desktop')
  const [permission, setPermission] = useState<NoticePermission>(() => noticePermission())
  if (desktop) return <p className="field-hint">Alerts show as system notifications, even with this window closed.</p>
  return (
    <p className="field-hint" role="note" aria-label="Notifications">
      {PERMISSION_WORDS[permission]}{' '}
      {permission === 'default' && (
        <button
          type="button"
          className="ghost-button"
          onClick={async () => setPermission(await askNoticePermission(true))}
        >
          Allow notifications
        </button>
      )}
    </p>
  )
}

function AlertLog() {
  const time = useTimeFormat()
  const now = useNow(60_000)
  const { log, error } = useAppFields((state) => ({ log: state.alertLog, error: state.alertLogError }))
  return (
    <section className="panel" aria-label="Alert log">
      <header className="panel-header">
        <h2>Alert log</h2>
        <span className="muted">Times in {time.label(now)}</span>
      </header>
      {error ? (
        <p className="field-error" role="alert">
          The alert log could not be read: {error}
        </p>
      ) : !log ? (
        <p className="muted">Loading…</p>
      ) : log.length === 0 ? (
        <p className="muted">No alert has fired for this connection.</p>
      ) : (
        <ol className="alert-log" aria-label="Alerts, newest first">
          {log.map((entry) => (
            <li
              key={entry.id}
              className={entry.resolvedAt === null ? 'alert-firing' : 'alert-resolved'}
              aria-label={`${entry.rule}: ${entry.resolvedAt === null ? 'firing' : 'resolved'}`}
            >
              <span className="alert-time num">{time.dateTime(entry.firedAt, { seconds: true })}</span>
              <span className={`pill ${entry.resolvedAt === null ? 'pill-failing' : 'pill-ok'}`}>
                {entry.resolvedAt === null ? 'Firing' : 'Resolved'}
              </span>
              <span className="alert-what">
                <strong>{entry.rule}</strong> — {entry.message}
                {entry.resolvedAt !== null && (
                  <span className="alert-resolution">
                    {' '}
                    Resolved {time.clock(entry.resolvedAt)}: {entry.resolution}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}

export function AlertsView() {
  const { profiles, activeId, connected } = useAppFields((state) => ({
    profiles: state.profiles,
    activeId: state.status?.profileId ?? null,
    connected: state.status?.connection === 'connected',
  }))
  const [chosen, setChosen] = useState<string | null>(null)
  // The rule being edited, with its connection: choosing another connection leaves the edit.
  const [editingOf, setEditingOf] = useState<{ profileId: string; rule: AlertRule } | null>(null)
  const profile =
    profiles.find((candidate) => candidate.id === chosen) ??
    profiles.find((candidate) => candidate.id === activeId) ??
    profiles[0]
  const editing = profile && editingOf?.profileId === profile.id ? editingOf.rule : null
  const setEditing = (rule: AlertRule | null) => setEditingOf(rule && profile ? { profileId: profile.id, rule } : null)

  return (
    <ViewFrame
      title="Alerts"
      description="Rules the engine checks on every sync, console open or not; each firing and its resolution is kept in the connection's history."
    >
      {!profile ? (
        <p className="banner banner-info">Save a connection first: alert rules are kept with it.</p>
      ) : (
        <>
          {profiles.length > 1 && (
            <div className="profile-chooser">
              <label>
                Alert rules for
                <select value={profile.id} onChange={(event) => setChosen(event.target.value)}>
                  {profiles.map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.name}
                      {option.id === activeId ? ' (connected)' : ''}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          <RuleList profileId={profile.id} rules={profile.alerts} onEdit={setEditing} />
          <RuleForm
            key={`${profile.id}-${editing?.id ?? 'new'}`}
            profileId={profile.id}
            editing={editing}
            onDone={() => setEditing(null)}
          />
          <NotificationState />
        </>
      )}
      {connected ? (
        <AlertLog />
      ) : (
        <p className="banner banner-info">The alert log is kept in each connection's history: connect to read it.</p>
      )}
    </ViewFrame>
  )
}
