import { useAppStore } from '../store/context.tsx'
import { selectWebhookProblem } from '../store/selectors.ts'

/**
 * Shown while webhooks are wanted but the receiver can't listen. The figures stay current (polls stand
 * in), so this is not the stale banner: it says what is wrong with the chosen mode and what to do.
 */
export function WebhookBanner() {
  const problem = useAppStore(selectWebhookProblem)
  if (problem === null) return null
  return (
    <div className="banner banner-warning banner-webhook" role="alert" aria-label="Webhooks are not received">
      <div>
        <strong>Webhooks are not being received.</strong> {problem}.
      </div>
    </div>
  )
}
