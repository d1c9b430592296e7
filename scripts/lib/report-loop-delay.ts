// Preloaded into a process a benchmark spawns (`node --import ./scripts/lib/report-loop-delay.ts …`):
// every 250 ms, writes to stderr the longest event-loop delay of that window (`loop-delay-max-ms N`)
// and the longest garbage-collection pause (`gc-max-ms N`), measured inside the process (perf_hooks),
// so the figures are the process's own and not the benchmark's latency in reaching it. Nothing of it
// is in Headcount itself.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
let gcMax = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMax = Math.max(gcMax, entry.duration)
}).observe({ entryTypes: ['gc'] })
const timer = setInterval(() => {
  process.stderr.write(`loop-delay-max-ms ${(histogram.max / 1e6).toFixed(1)}\ngc-max-ms ${gcMax.toFixed(1)}\n`)
  histogram.reset()
  gcMax = 0
}, 250)
timer.unref()
