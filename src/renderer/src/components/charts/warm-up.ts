/**
 * Runs a piece of work a few more times when the page is idle, the first time it is offered, and
 * never again: for code that runs rarely but must be fast when it does (a chart's lines are drawn
 * once per refetch), so that V8 has compiled it before the user is waiting on it. Each run gets its
 * own idle slot, so the page stays responsive while it warms.
 */
export function createWarmUp(runs: number, whenIdle: (callback: () => void) => void): (work: () => void) => void {
  let started = false
  return (work) => {
    if (started) return
    started = true
    let left = runs
    const next = () => {
      if (left <= 0) return
      left--
      work()
      whenIdle(next)
    }
    whenIdle(next)
  }
}

/** The browser's idle callback where there is one, a short timeout elsewhere. */
export function whenIdle(callback: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => callback())
  else setTimeout(callback, 50)
}
