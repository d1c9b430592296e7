import { useState, type FormEvent } from 'react'
import type { BroadcastSettings } from '../../../../shared/broadcast.ts'
import { describeBudget, parseBudget, PUSHER_PLANS, type PlanId } from '../../../../shared/pusher-plans.ts'
import { useAppStore } from '../../store/context.tsx'
import { useSavedDraft } from '../../hooks/use-saved-draft.ts'

const NONE = 'none'
const CUSTOM = 'custom'

/**
 * The daily message budget: none, a Pusher plan's cap, or a number. Saved with the connection; the
 * engine rounds large rooms and never sends what the budget can't pay for in Pusher's day (UTC).
 */
export function BudgetControl({ profileId, settings }: { profileId: string; settings: BroadcastSettings }) {
  const setBroadcast = useAppStore((state) => state.setBroadcast)
  const budget = settings.budget
  const [draft, setDraft] = useSavedDraft({
    choice: budget === null ? NONE : (budget.plan ?? CUSTOM),
    custom: budget !== null && budget.plan === null ? String(budget.messagesPerDay) : '',
    countSubscribers: settings.countSubscribers,
  })
  const { choice, custom, countSubscribers } = draft
  const setChoice = (next: string) => setDraft({ ...draft, choice: next })
  const setCustom = (next: string) => setDraft({ ...draft, custom: next })
  const setCountSubscribers = (next: boolean) => setDraft({ ...draft, countSubscribers: next })
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault()
    let next: BroadcastSettings['budget'] = null
    if (choice === CUSTOM) {
      const parsed = parseBudget(custom)
      if (!parsed.ok) return setResult({ ok: false, text: parsed.error })
      next = parsed.budget
    } else if (choice !== NONE) {
      const plan = PUSHER_PLANS.find((candidate) => candidate.id === (choice as PlanId))
      if (plan) next = { messagesPerDay: plan.messagesPerDay, plan: plan.id }
    }
    const outcome = await setBroadcast(profileId, { budget: next, countSubscribers })
    setResult(
      outcome.ok
        ? {
            ok: true,
            text: next === null ? 'No budget: every change is sent exactly' : `Budget: ${describeBudget(next)}`,
          }
        : { ok: false, text: outcome.error.message },
    )
  }

  return (
    <form className="panel" aria-label="Message budget" onSubmit={onSubmit} noValidate>
      <header className="panel-header">
        <h2>Message budget</h2>
      </header>
      <div className="form-grid">
        <label className="form-field">
          <span className="form-label">Daily budget</span>
          <select aria-label="Daily budget" value={choice} onChange={(event) => setChoice(event.target.value)}>
            <option value={NONE}>No budget</option>
            {PUSHER_PLANS.map((plan) => (
              <option key={plan.id} value={plan.id}>
                {plan.name}: {plan.messagesPerDay.toLocaleString('en-US')} a day
              </option>
            ))}
            <option value={CUSTOM}>Another number…</option>
          </select>
        </label>
        {choice === CUSTOM && (
          <label className="form-field">
            <span className="form-label">Messages a day</span>
            <input
              type="text"
              className="mono-input"
              aria-label="Messages a day"
              placeholder="e.g. 25000000 or 25M"
              value={custom}
              spellCheck={false}
              onChange={(event) => setCustom(event.target.value)}
            />
          </label>
        )}
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={countSubscribers}
          onChange={(event) => setCountSubscribers(event.target.checked)}
        />{' '}
        Count each room channel’s subscribers exactly (asks Pusher with every summary: each then costs two messages, and
        the app needs subscription counting enabled); otherwise a room’s subscribers are taken to be its participants
      </label>
      <p className="field-hint">
        Pusher counts every event published and every delivery of it, per day from 00:00 UTC, and refuses events once
        the plan’s count is reached. Within a budget Headcount rounds large rooms (“≈1.2M”, the precision in the
        payload), sends the rooms that are most wrong first, and never sends what the budget can’t pay for. Plan figures
        as published by Pusher: check yours in Pusher’s dashboard.
      </p>
      <div className="form-actions">
        <button type="submit">Save budget</button>
        {result && (
          <span className={result.ok ? 'field-ok' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
            {result.text}
          </span>
        )}
      </div>
    </form>
  )
}
