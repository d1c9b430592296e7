import { useEffect, useState } from 'react'
import type { NamingConvention, ParsedChannel } from '../../../../shared/naming.ts'
import type { ProfileView } from '../../../../shared/profiles.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { useSavedDraft } from '../../hooks/use-saved-draft.ts'
import { formatCount } from '../../lib/format.ts'
import type { ConventionImpact, ConventionPreview } from '../../store/slices/profiles-slice.ts'

const DEFAULT_SAMPLES = [
  'private-lobby-max',
  'private-lobby-red-max',
  'private-stage-a-b-c',
  'private-lobby',
  'presence-lobby',
]

/** How channel names become rooms, groups and users: edited with a live preview and the separator warning. */
export function ConventionSection({ profile }: { profile: ProfileView }) {
  const { setConvention, previewConvention, conventionImpact } = useAppFields((state) => ({
    setConvention: state.setConvention,
    previewConvention: state.previewConvention,
    conventionImpact: state.conventionImpact,
  }))
  const saved = profile.convention
  const [draft, setDraft] = useSavedDraft<NamingConvention>(saved)
  const [samples, setSamples] = useState(DEFAULT_SAMPLES.join('\n'))
  // The preview answers this form's draft, not anything the engine keeps: it stays with the form.
  const [preview, setPreview] = useState<ConventionPreview | null>(null)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  // Asked before saving a draft that reads the live channels differently; any edit withdraws the question.
  const [question, setQuestion] = useState<{ draft: NamingConvention; confirmation: Confirmation } | null>(null)
  const [checking, setChecking] = useState(false)

  // The preview follows the typing, a moment after it pauses.
  useEffect(() => {
    // A regex is checked for catastrophic backtracking first, so answers can come back out of order.
    let current = true
    const timer = setTimeout(async () => {
      const list = samples
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .slice(0, 50)
      const outcome = await previewConvention(draft, list)
      if (!current) return
      if (outcome.ok) setPreview(outcome.value)
      else setPreview({ prefix: null, separatorWarning: null, error: outcome.error.message, rows: [] })
    }, 200)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [draft, samples, previewConvention])

  const text = draft.kind === 'template' ? draft.template : draft.pattern
  const changed = JSON.stringify(draft) !== JSON.stringify(saved)
  const confirming = question && JSON.stringify(question.draft) === JSON.stringify(draft) ? question.confirmation : null
  const save = async () => {
    setQuestion(null)
    const outcome = await setConvention(profile.id, draft)
    setResult(
      outcome.ok
        ? { ok: true, text: 'Saved; the connection re-reads its channels with it' }
        : { ok: false, text: outcome.error.message },
    )
  }
  // Saving re-reads every live channel: when that changes who some of them are, say so and ask first.
  const requestSave = async () => {
    setResult(null)
    setChecking(true)
    const outcome = await conventionImpact(profile.id, draft)
    setChecking(false)
    if (outcome.ok && (!outcome.value.live || outcome.value.changed === 0)) return save()
    setQuestion({ draft, confirmation: outcome.ok ? { impact: outcome.value } : { error: outcome.error.message } })
  }

  return (
    <section className="card wide-card" aria-label="Naming convention">
      <h2>Naming convention</h2>
      <p className="field-hint">Which channels are participants, and how a name splits into room, group and user.</p>
      <div className="radio-row">
        <label>
          <input
            type="radio"
            name="convention-kind"
            checked={draft.kind === 'template'}
            onChange={() =>
              setDraft({
                kind: 'template',
                template: draft.kind === 'template' ? draft.template : 'private-{room}-{user}',
              })
            }
          />
          Template
        </label>
        <label>
          <input
            type="radio"
            name="convention-kind"
            checked={draft.kind === 'regex'}
            onChange={() =>
              setDraft({
                kind: 'regex',
                pattern: draft.kind === 'regex' ? draft.pattern : '^private-(?<room>[^-]+)-(?<user>.+)$',
              })
            }
          />
          Regular expression
        </label>
      </div>
      <label className="form-field">
        <span className="form-label">
          {draft.kind === 'template'
            ? 'Template ({room}, {user}, optionally {group})'
            : 'Pattern with named groups room, user and optionally group'}
        </span>
        <input
          type="text"
          className="wide mono-input"
          aria-label={draft.kind === 'template' ? 'Template' : 'Pattern'}
          value={text}
          spellCheck={false}
          onChange={(event) =>
            setDraft(
              draft.kind === 'template'
                ? { kind: 'template', template: event.target.value }
                : { kind: 'regex', pattern: event.target.value },
            )
          }
        />
      </label>
      {preview?.error && (
        <p className="field-error" role="alert">
          {preview.error}
        </p>
      )}
      {preview?.separatorWarning && (
        <p className="banner banner-warning" role="note" aria-label="Separator warning">
          {preview.separatorWarning}
        </p>
      )}
      {preview?.prefix !== null && preview?.prefix !== undefined && (
        <p className="field-hint">
          Polls ask for channels starting with <code>{preview.prefix || '(everything)'}</code>
        </p>
      )}
      <div className="preview-grid">
        <label className="form-field">
          <span className="form-label">Sample channel names, one per line</span>
          <textarea
            aria-label="Sample channel names"
            rows={6}
            value={samples}
            spellCheck={false}
            onChange={(event) => setSamples(event.target.value)}
          />
        </label>
        <table className="preview-table" aria-label="How the samples parse">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Room</th>
              <th scope="col">Group</th>
              <th scope="col">User</th>
            </tr>
          </thead>
          <tbody>
            {(preview?.rows ?? []).map((row) => (
              <tr key={row.channel} className={row.result ? undefined : 'unmatched'}>
                <td className="mono-cell">{row.channel}</td>
                {row.result ? (
                  <>
                    <td>{row.result.room}</td>
                    <td>{row.result.group ?? '—'}</td>
                    <td>{row.result.user}</td>
                  </>
                ) : (
                  <td colSpan={3} className="muted">
                    not a participant: {row.reason}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {confirming && (
        <ImpactConfirmation confirmation={confirming} onSave={() => void save()} onCancel={() => setQuestion(null)} />
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={!changed || Boolean(preview?.error) || checking || confirming !== null}
          onClick={() => void requestSave()}
        >
          Save convention
        </button>
        {changed && (
          <button type="button" className="ghost-button" onClick={() => setDraft(saved)}>
            Undo changes
          </button>
        )}
        {result && (
          <span className={result.ok ? 'field-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
            {result.text}
          </span>
        )}
      </div>
    </section>
  )
}

type Confirmation = { impact: ConventionImpact } | { error: string }

/** What saving would change in the live channels, and the choice to go on or not. */
function ImpactConfirmation({
  confirmation,
  onSave,
  onCancel,
}: {
  confirmation: Confirmation
  onSave: () => void
  onCancel: () => void
}) {
  return (
    <div className="banner banner-warning" role="alertdialog" aria-label="Convention change">
      {'impact' in confirmation ? (
        <>
          <p>
            <strong>
              {formatCount(confirmation.impact.changed)} of {formatCount(confirmation.impact.channels)} channels will be
              read differently.
            </strong>{' '}
            Their sessions end and begin again, marked “naming convention changed”, and are left out of joins and leaves
            per minute; everyone read the same keeps their session.
          </p>
          <ul className="impact-examples" aria-label="Examples">
            {confirmation.impact.examples.map((example) => (
              <li key={example.channel}>
                <code>{example.channel}</code>: {reading(example.before)} → {reading(example.after)}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>
          The channels present now could not be compared with this convention ({confirmation.error}); saving re-reads
          them all.
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onSave}>
          Save and re-read
        </button>
        <button type="button" className="ghost-button" onClick={onCancel}>
          Keep editing
        </button>
      </div>
    </div>
  )
}

function reading(parsed: ParsedChannel | null): string {
  if (!parsed) return 'not a participant'
  return `room ${parsed.room}${parsed.group === null ? '' : `, group ${parsed.group}`}, user ${parsed.user}`
}
