// Preloaded into a process a benchmark spawns (`node --import ./scripts/lib/report-loop-delay.ts …`):
// every 250 ms, writes the longest event-loop delay of that window to stderr as
// `loop-delay-max-ms N`, measured inside the process (perf_hooks), so the figure is the process's own
// and not the benchmark's latency in reaching it. Nothing of it is in Headcount itself.
import { monitorEventLoopDelay } from 'node:perf_hooks'

const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
const timer = setInterval(() => {
  process.stderr.write(`loop-delay-max-ms ${(histogram.max / 1e6).toFixed(1)}\n`)
  histogram.reset()
}, 250)
timer.unref()
