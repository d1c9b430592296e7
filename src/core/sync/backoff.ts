/** Upper bound for any wait between attempts (DESIGN §4). */
export const MAX_BACKOFF_MS = 60_000

/**
 * Delay before retry number `attempt` (1 = first retry): doubles from `baseMs`, capped at 60 s, with
 * "equal jitter" (half fixed, half random) so many consoles failing together don't retry in step.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
