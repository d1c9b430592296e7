// How much memory V8's young generation (where short-lived objects are made) may take in a process that
// runs the engine. V8 starts it at 1 MB per semi-space and doubles it whenever enough objects outlive a
// scavenge, up to 16 MB or more; loading the engine's modules alone grows it that far. A first sync of a
// million people then writes a million sessions, each read from the presence state as a short-lived
// object, and that churn cycles through every page of both semi-spaces while the presence state is at
// its largest: 20-25 MB of the process's peak, for garbage. Held at 2 MB per semi-space, the young
// generation is scavenged more often (each scavenge finds little alive, so each is short) and the peak
// is that much lower. Not 1 MB: the broadcaster, with a thousand requests in flight at every tick, then
// promotes them to the old generation and costs a quarter more CPU (measured at 10,000 rooms, in
// turns: 225-258 ms a tick held at 1 MB, 182-184 at 2 or 4 MB, 178-183 not held).
//
// V8 reads its size limit only as the process starts (a command-line flag, which neither a shebang nor
// a packaged desktop app can pass), but the growth factor each time it would grow; a factor under 2
// given on the command line is raised to 2 as the heap is set up, set afterwards it holds (the test
// beside this file checks that this Node still behaves so). So growth is stopped first thing in a process
// that runs the engine, before its modules load: bin/headcount.mjs for `serve` and `snapshot` (whose
// commands then hold it), and the desktop app's main process (src/main/index.ts). The young generation
// is then grown once to the held size, and grown back to it when V8 has shrunk it (it does when the
// process idles: Monitor asks at every tick). Processes that never hold it (tests, the library) keep
// V8's own sizing.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'

/** The young generation as held: two semi-spaces of 2 MB, in bytes, as V8 reports its size. */
export const HELD_YOUNG_GENERATION_BYTES = 4 * 1024 * 1024

/** The V8 flag that stops the young generation growing (bin/headcount.mjs spells it out too). */
export const STOP_YOUNG_GENERATION_GROWTH = '--semi-space-growth-factor=1'
const GROW_TWOFOLD = '--semi-space-growth-factor=2'
/** Objects kept per step while growing (about 200 KB), and steps at most (growing takes a few). */
const KEPT_PER_STEP = 4096
const MAX_STEPS = 400

/** The young generation's size (both semi-spaces, as committed), in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
}

let held = false

/** Holds V8's young generation at HELD_YOUNG_GENERATION_BYTES (or at its size now, when larger). */
export function holdYoungGeneration(): void {
  setFlagsFromString(STOP_YOUNG_GENERATION_GROWTH)
  held = true
  restoreYoungGeneration()
}

/**
 * Grows a held young generation back to HELD_YOUNG_GENERATION_BYTES when V8 has shrunk it (it does
 * when the process idles, and a held one cannot grow again by itself); cheap when it has not, and
 * nothing in a process that does not hold it.
 */
export function restoreYoungGeneration(): void {
  if (!held || youngGenerationBytes() >= HELD_YOUNG_GENERATION_BYTES) return
  // V8 doubles the young generation once more than its size has outlived scavenges: objects kept
  // alive until it has (they end in the old generation, and are collected with it).
  setFlagsFromString(GROW_TWOFOLD)
  try {
    const kept: number[][] = []
    for (let step = 0; step < MAX_STEPS && youngGenerationBytes() < HELD_YOUNG_GENERATION_BYTES; step++) {
      for (let i = 0; i < KEPT_PER_STEP; i++) kept.push([i])
    }
  } finally {
    setFlagsFromString(STOP_YOUNG_GENERATION_GROWTH)
  }
}
