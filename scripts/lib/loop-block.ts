/**
 * Watches the event loop with a 1 ms timer; `stop()` returns the longest stretch it could not run,
 * i.e. the longest the loop was held. Shared by the benchmarks that report it.
 */
export function watchLoopBlocks(): { stop(): number } {
  let maxBlockMs = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    maxBlockMs = Math.max(maxBlockMs, now - last - 1)
    last = now
  }, 1)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(0, maxBlockMs)
    },
  }
}
