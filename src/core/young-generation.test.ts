// Held, V8's young generation keeps its size however many objects outlive a scavenge; released, or
// never held, the same work grows it (which is what raised a first sync's peak). Each case runs in a
// fresh Node process: V8's flags last for the process that sets them.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const MODULE = new URL('./young-generation.ts', import.meta.url).href
const MB = 1048576

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
  it('keeps it at its size through work that grows it when not held', () => {
    const free = inFreshProcess(`work(); report('not held')`)
    expect(free['not held']).toBeGreaterThanOrEqual(8 * MB)
    const held = inFreshProcess(`
      young.holdYoungGeneration(); report('held')
      work(); report('after work')
    `)
    expect(held['after work']).toBe(held['held'])
    expect(held['after work']).toBeLessThanOrEqual(2 * MB)
  }, 60_000)

  it('lets it grow again once released', () => {
    const sizes = inFreshProcess(`
      young.holdYoungGeneration()
      work(); report('held')
      young.releaseYoungGeneration()
      work(); report('released')
    `)
    expect(sizes['held']).toBeLessThanOrEqual(2 * MB)
    expect(sizes['released']).toBeGreaterThanOrEqual(8 * MB)
  }, 60_000)

  it('leaves V8 alone in a process that does not hold it', () => {
    const sizes = inFreshProcess(`
      young.releaseYoungGeneration()
      work(); report('after work')
    `)
    expect(sizes['after work']).toBeGreaterThanOrEqual(8 * MB)
  }, 60_000)
})
