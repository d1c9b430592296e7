import type { ConnectionTestResult } from '../../../../shared/profiles.ts'
import { formatCount } from '../../lib/format.ts'
import type { Outcome } from '../../store/outcome.ts'

/** A connection test's answer in words: it works, why it does not, or why it could not be tried. */
export function TestResult({ outcome }: { outcome: Outcome<ConnectionTestResult> }) {
  if (!outcome.ok) {
    return (
      <div className="test-result bad" role="alert">
        <strong>Could not test:</strong> {outcome.error.message}
      </div>
    )
  }
  const result = outcome.value
  if (result.ok) {
    return (
      <div className="test-result good" role="status">
        <strong>Connection works.</strong> {result.endpoint} answered in {result.latencyMs} ms and lists{' '}
        {formatCount(result.channels)} participant channels.
      </div>
    )
  }
  return (
    <div className="test-result bad" role="alert">
      <strong>{result.failure.message}.</strong> {result.failure.hint}
      <div className="muted small">
        {result.endpoint} · {result.failure.kind}
      </div>
    </div>
  )
}
