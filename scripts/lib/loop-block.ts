/**
 * Watches the event loop with a 1 ms timer; `stop()` returns the longest stretch it could not run,
 * i.e. the longest the loop was held. Shared by the benchmarks that report it.
 *
 * That stretch is wall time, so on a machine shared with other busy processes it also holds the time
 * the OS ran them instead; `longestOwnCpuMs()` is the most CPU this thread itself used within one
 * stretch, the part the code under test is answerable for.
 */
export function watchLoopBlocks(): { stop(): number; longestOwnCpuMs(): number } {
  let maxBlockMs = 0
  let maxOwnCpuMs = 0
  let last = performance.now()
  const threadCpuMs = (): number => {
    const used = process.threadCpuUsage()
    return (used.user + used.system) / 1000
  }
  let lastCpuMs = threadCpuMs()
  const timer = setInterval(() => {
    const now = performance.now()
    const cpuMs = threadCpuMs()
    maxBlockMs = Math.max(maxBlockMs, now - last - 1)
    maxOwnCpuMs = Math.max(maxOwnCpuMs, cpuMs - lastCpuMs)
    last = now
    lastCpuMs = cpuMs
  }, 1)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(0, maxBlockMs)
    },
    longestOwnCpuMs() {
      return maxOwnCpuMs
    },
  }
}
