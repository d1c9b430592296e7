// Imported rather than the global: a test that fakes timers must not stop the engine yielding.
import { setImmediate } from 'node:timers'

/** Lets timers, I/O and other callbacks run before the next chunk of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
