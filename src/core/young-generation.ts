// How much memory V8's young generation (where short-lived objects are made) may take while a process
// that runs the engine makes its first sync. V8 starts it at 1 MB per semi-space and doubles it whenever
// enough objects outlive a scavenge, up to 16 MB or more; loading the engine's modules alone grows it
// that far. A first sync of a million people then writes a million sessions, each read from the
// presence state as a short-lived object, and that churn cycles through every page of both semi-spaces
// while the presence state is at its largest: 20-25 MB of the process's peak, for garbage. Held at its
// first size until the first sync is stored, the young generation is scavenged more often (each
// scavenge finds little alive, so each is short) and the peak is that much lower.
//
// Released after it: held for good, it would cost the broadcaster, with a thousand requests in flight
// at every tick, a quarter more CPU (at 10,000 rooms, in turns: 213-261 ms a tick held, 171-190 not).
// A later monitor (a reconnection, a changed sync mode or convention) holds it again for its own
// first sync: that cannot shrink what grew meanwhile, and the previous state's memory comes back only
// as V8 collects it, so such a first sync peaks higher than the process's first (figures in the README's Performance).
//
// V8 reads its size limit only as the process starts (a command-line flag, which neither a shebang nor
// a packaged desktop app can pass), but the growth factor each time it would grow; a factor under 2
// given on the command line is raised to 2 as the heap is set up, set afterwards it holds (the test
// beside this file checks that this Node still behaves so). So growth is stopped first thing in a process
// that runs the engine, before its modules load: bin/headcount.mjs for `serve` and `snapshot`, and the
// desktop app's main process (src/main/index.ts); each Monitor holds it as it starts (again, for all but
// the first) and releases it once its first tick is stored, or when it stops before one is.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/** The V8 flag that stops the young generation growing (bin/headcount.mjs spells it out too). */
export const STOP_YOUNG_GENERATION_GROWTH = '--semi-space-growth-factor=1'
/** V8's own growth factor, which releasing the young generation gives back. */
const V8_GROWTH = '--semi-space-growth-factor=2'

let held = false

/** The young generation's size (both semi-spaces, as committed), in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
}

/** Stops V8's young generation growing past its size now, until `releaseYoungGeneration()`. */
export function holdYoungGeneration(): void {
  setFlagsFromString(STOP_YOUNG_GENERATION_GROWTH)
  held = true
}

/** Lets a held young generation grow again as V8 chooses; nothing in a process that does not hold it. */
export function releaseYoungGeneration(): void {
  if (!held) return
  setFlagsFromString(V8_GROWTH)
  held = false
}
