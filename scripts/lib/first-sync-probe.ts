// What a benchmark watches while a first sync runs in its own process: the longest event-loop block
// (monitorEventLoopDelay, and a 1 ms timer that sees every stretch it could not run), the longest GC
// pause (PerformanceObserver 'gc'), and the process's peak RSS as the kernel counts it (VmHWM).
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { watchLoopBlocks } from './loop-block.ts'

export interface LoopFigures {
  /** Longest stretch the 1 ms timer could not run, ms (wall time, GC included). */
  blockMs: number
  /**
   * Most CPU time this thread spent between two runs of that timer, ms: the longest block as the
   * thread's own work, which a machine busy with other processes does not stretch.
   */
  blockCpuMs: number
  /** Longest delay monitorEventLoopDelay saw, ms. */
  delayMs: number
  /** Longest garbage-collection pause, ms. */
  gcMs: number
}

/** Starts watching; `stop()` gives what was seen since. */
export function watchLoop(): { stop(): LoopFigures } {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let gcMs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration)
  })
  observer.observe({ entryTypes: ['gc'] })
  const blocks = watchLoopBlocks()
  let blockCpuMs = 0
  let lastCpu = threadCpuMs()
  const cpuTimer = setInterval(() => {
    const cpu = threadCpuMs()
    blockCpuMs = Math.max(blockCpuMs, cpu - lastCpu)
    lastCpu = cpu
  }, 1)
  return {
    stop() {
      clearInterval(cpuTimer)
      histogram.disable()
      observer.disconnect()
      return { blockMs: blocks.stop(), blockCpuMs, delayMs: histogram.max / 1e6, gcMs }
    },
  }
}

/** This process's peak resident set so far (VmHWM), in MB; the current RSS where /proc is missing. */
export function peakRssMb(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1])
    if (Number.isFinite(kb) && kb > 0) return kb / 1024
  } catch {
    // Not Linux.
  }
  return process.memoryUsage().rss / 1048576
}

function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}
