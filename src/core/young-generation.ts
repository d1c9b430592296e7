// How much memory V8's young generation (where short-lived objects are made) may take in a process that
// runs the engine. V8 starts it at 1 MB per semi-space and doubles it whenever enough objects outlive a
// scavenge, up to 16 MB or more; loading the engine's modules alone grows it that far. A first sync of a
// million people then writes a million sessions, each read from the presence state as a short-lived
// object, and that churn cycles through every page of both semi-spaces while the presence state is at
// its largest: 20-25 MB of the process's peak, for garbage. Held at its first size, the young
// generation is scavenged more often (each scavenge finds little alive, so each is short) and the peak
// is that much lower.
//
// V8 reads its size limit only as the process starts (a command-line flag, which neither a shebang nor
// a packaged desktop app can pass), but the growth factor each time it would grow; a factor under 2
// given on the command line is raised to 2 as the heap is set up, set afterwards it holds (the test
// beside this file checks that this Node still behaves so). So it is set first thing in a process that
// runs the engine, before its modules load: bin/headcount.mjs for `serve` and `snapshot` (which sets the
// same flag itself: the npm package has no sources to import), and the desktop app's main process
// (src/main/index.ts).
import { setFlagsFromString } from 'node:v8'

/** The V8 flag that stops the young generation growing past the size it has when it is set. */
export const HOLD_YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1'

/** Keeps V8's young generation at the size it has now, for the rest of the process. */
export function holdYoungGeneration(): void {
  setFlagsFromString(HOLD_YOUNG_GENERATION_FLAG)
}
