// Held, V8's young generation keeps the held size however many objects outlive a scavenge, and comes
// back to it after V8 shrinks it; not held, the same work grows it (which is what raised a first sync's
// peak), and asking to restore it changes nothing. Each case runs in a fresh Node process: V8's flags
// last for the process that sets them.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { HELD_YOUNG_GENERATION_BYTES } from './young-generation.ts'

const MODULE = new URL('./young-generation.ts', import.meta.url).href

/**
 * Runs `steps` in a fresh Node process (with `gc` exposed) that has imported this module as `young`;
 * `work()` makes objects that live across scavenges, as loading modules does; `report(label)` notes the
 * young generation's size once it has settled. Returns the sizes noted, in bytes, by label.
 */
function inFreshProcess(steps: string): Record<string, number> {
  const script = `
    const young = await import(${JSON.stringify(MODULE)})
    const sizes = {}
    // After a scavenge: while the old generation is being marked, V8 holds young pages a moment longer.
    const report = (label) => {
      gc({ type: 'minor', execution: 'sync' })
      gc({ type: 'minor', execution: 'sync' })
      sizes[label] = young.youngGenerationBytes()
    }
    const work = () => {
      let kept = []
      for (let i = 0; i < 2_000_000; i++) {
        kept.push({ i, name: 'member' + i })
        if (kept.length > 100_000) kept = []
      }
    }
    ${steps}
    process.stdout.write(JSON.stringify(sizes))
  `
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(child.stderr)
  return JSON.parse(child.stdout) as Record<string, number>
}

describe('holding the young generation', () => {
  it('keeps it at the held size through work that grows it when not held', () => {
    const sizes = inFreshProcess(`
      work(); report('not held')
    `)
    expect(sizes['not held']).toBeGreaterThanOrEqual(2 * HELD_YOUNG_GENERATION_BYTES)
    const held = inFreshProcess(`
      young.holdYoungGeneration(); report('held')
      work(); report('after work')
    `)
    expect(held).toEqual({ held: HELD_YOUNG_GENERATION_BYTES, 'after work': HELD_YOUNG_GENERATION_BYTES })
  }, 60_000)

  it('grows it back to the held size after V8 shrinks it', () => {
    const sizes = inFreshProcess(`
      young.holdYoungGeneration()
      // The collection V8 makes when memory runs short, which also shrinks the young generation.
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }); report('shrunk')
      work(); report('still shrunk')
      young.restoreYoungGeneration(); report('restored')
      work(); report('after work')
    `)
    expect(sizes['shrunk']).toBeLessThan(HELD_YOUNG_GENERATION_BYTES)
    expect(sizes['still shrunk']).toBeLessThan(HELD_YOUNG_GENERATION_BYTES)
    expect(sizes['restored']).toBe(HELD_YOUNG_GENERATION_BYTES)
    expect(sizes['after work']).toBe(HELD_YOUNG_GENERATION_BYTES)
  }, 60_000)

  it('leaves V8 alone in a process that does not hold it', () => {
    const sizes = inFreshProcess(`
      young.restoreYoungGeneration(); report('asked')
      work(); report('after work')
    `)
    expect(sizes['asked']).toBeLessThan(HELD_YOUNG_GENERATION_BYTES)
    expect(sizes['after work']).toBeGreaterThanOrEqual(2 * HELD_YOUNG_GENERATION_BYTES)
  }, 60_000)
})
