import { useMemo, useState, type FormEvent } from 'react'
import {
  BroadcastSettingsPatchSchema,
  roomTemplateWarnings,
  suggestedRoomTemplates,
  type BroadcastSettings,
} from '../../../../shared/broadcast.ts'
import { channelTemplateProblem } from '../../../../shared/channel-names.ts'
import { describeIssues } from '../../../../shared/issues.ts'
import { compileConvention, type NamingConvention } from '../../../../shared/naming.ts'
import { useAppStore } from '../../store/context.tsx'

/**
 * Interval, heartbeat, channel template and event name: checked with the contract's schema, saved as a
 * patch. The room channel template is checked as it is typed against the connection's naming
 * convention (a template whose names read as participants is refused) and offered as cache channels.
 */
export function BroadcastSettingsForm({
  profileId,
  settings,
  convention,
}: {
  profileId: string
  settings: BroadcastSettings
  convention: NamingConvention
}) {
  const setBroadcast = useAppStore((state) => state.setBroadcast)
  const [draft, setDraft] = useState({
    intervalSec: String(settings.intervalMs / 1000),
    heartbeatSec: String(settings.heartbeatMs / 1000),
    channelTemplate: settings.channelTemplate,
    eventName: settings.eventName,
    concurrency: String(settings.concurrency),
  })
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  const compiled = useMemo(() => {
    try {
      return compileConvention(convention)
    } catch {
      return null
    }
  }, [convention])
  const template = draft.channelTemplate.trim()
  const templateProblem = channelTemplateProblem(template, ['room'], ['room'])
  const warnings =
    compiled === null || templateProblem !== null
      ? []
      : roomTemplateWarnings({ channelTemplate: template, budget: settings.budget }, compiled)
  const suggestions = compiled === null ? [] : suggestedRoomTemplates(compiled).filter((option) => option !== template)
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    const patch = {
      intervalMs: Math.round(Number(draft.intervalSec) * 1000),
      heartbeatMs: Math.round(Number(draft.heartbeatSec) * 1000),
      channelTemplate: draft.channelTemplate.trim(),
      eventName: draft.eventName.trim(),
      concurrency: Number(draft.concurrency),
    }
    const checked = BroadcastSettingsPatchSchema.safeParse(patch)
    if (!checked.success) return setResult({ ok: false, text: describeIssues(checked.error) })
    const outcome = await setBroadcast(profileId, checked.data)
    setResult(outcome.ok ? { ok: true, text: 'Saved' } : { ok: false, text: outcome.error.message })
  }
  const field = (name: keyof typeof draft, label: string, wide = false) => (
    <label className="form-field">
      <span className="form-label">{label}</span>
      <input
        type="text"
        className={wide ? 'wide mono-input' : undefined}
        value={draft[name]}
        spellCheck={false}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      />
    </label>
  )
  return (
    <form className="panel" aria-label="Broadcast settings" onSubmit={onSubmit} noValidate>
      <header className="panel-header">
        <h2>What is sent</h2>
      </header>
      <div className="form-grid">
        {field('intervalSec', 'Every, seconds (0.1–60)')}
        {field('heartbeatSec', 'Heartbeat, seconds (1–3600)')}
        {field('channelTemplate', 'Room channel ({room})', true)}
        {field('eventName', 'Event name')}
        {field('concurrency', 'Requests in flight (1–64)')}
      </div>
      {suggestions.length > 0 && (
        <div className="template-suggestions" role="group" aria-label="Room channel suggestions">
          <span className="muted">Use</span>
          {suggestions.map((option) => (
            <button
              key={option}
              type="button"
              className="ghost-button mono"
              onClick={() => setDraft({ ...draft, channelTemplate: option })}
            >
              {option}
            </button>
          ))}
        </div>
      )}
      {warnings.map((warning) => (
        <p
          key={warning.kind}
          className={warning.kind === 'reads-as-participant' ? 'field-error' : 'field-hint'}
          role={warning.kind === 'reads-as-participant' ? 'alert' : 'note'}
          aria-label={warning.kind === 'reads-as-participant' ? 'Room channel refused' : 'Room channel note'}
        >
          {warning.message}
        </p>
      ))}
      <p className="field-hint">
        Each interval, every room whose shown count or groups changed gets <code>{'{room, count, groups, ts}'}</code> on
        its channel; unchanged rooms get it again every heartbeat so late joiners see a value (not on cache channels,
        which hand the last one to each new subscriber).
      </p>
      <div className="form-actions">
        <button type="submit">Save</button>
        {result && (
          <span className={result.ok ? 'field-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
            {result.text}
          </span>
        )}
      </div>
    </form>
  )
}
