// Held, V8's young generation keeps its first size however many objects outlive a scavenge; not held,
// the same work grows it (which is what raises a first sync's peak). Each case runs in a fresh process:
// the flag lasts for the process that sets it.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const MODULE = new URL('./young-generation.ts', import.meta.url).href
const MB = 1048576

/**
 * A fresh Node process that (when `hold`) holds the young generation first, then makes objects that live
 * across scavenges, as loading modules does: the young generation's size after, in bytes.
 */
function youngGenerationAfterWork(hold: boolean): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8'
    if (process.env.HOLD === '1') (await import(${JSON.stringify(MODULE)})).holdYoungGeneration()
    let kept = []
    for (let i = 0; i < 2_000_000; i++) {
      kept.push({ i, name: 'member' + i })
      if (kept.length > 100_000) kept = []
    }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
    process.stdout.write(String(space.space_size))
  `
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, HOLD: hold ? '1' : '0' },
  })
  if (child.status !== 0) throw new Error(child.stderr)
  return Number(child.stdout)
}

describe('holding the young generation', () => {
  it('keeps it at its first size through work that would grow it', () => {
    const grown = youngGenerationAfterWork(false)
    const held = youngGenerationAfterWork(true)
    expect(grown).toBeGreaterThanOrEqual(8 * MB)
    expect(held).toBeLessThanOrEqual(2 * MB)
  }, 60_000)
})
