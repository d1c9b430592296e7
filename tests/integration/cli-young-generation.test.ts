// The commands that make a first sync (serve, snapshot) stop V8's young generation growing from the
// start of their process, before their modules load (src/core/young-generation.ts says why); the others
// leave V8 as it is.
// Seen from inside the command's process: a preloaded module makes, as the process exits, objects that
// live across scavenges, and reports how large the young generation has grown.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const MB = 1048576
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')

let dir: string
let probe: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-young-generation-'))
  probe = join(dir, 'probe.mjs')
  writeFileSync(
    probe,
    `import { getHeapSpaceStatistics } from 'node:v8'
process.on('exit', () => {
  let kept = []
  for (let i = 0; i < 2_000_000; i++) {
    kept.push({ i, name: 'member' + i })
    if (kept.length > 100_000) kept = []
  }
  // Settled: while the old generation is being marked, V8 holds young pages a moment longer.
  gc({ type: 'minor', execution: 'sync' })
  gc({ type: 'minor', execution: 'sync' })
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  process.stderr.write('young generation: ' + space.space_size + '\\n')
})
`,
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The young generation's size in bytes after that work, in `headcount <command> --help`'s process. */
function youngGenerationOf(command: string): number {
  // process.execPath is the Node running the tests (the pinned Node 24 the CLI needs).
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', probe, BIN, command, '--help'], {
    encoding: 'utf8',
  })
  expect(child.status).toBe(0)
  const size = /young generation: (\d+)/.exec(child.stderr)?.[1]
  if (size === undefined) throw new Error(`no report from the probe: ${child.stderr}`)
  return Number(size)
}

describe('the young generation of a command line process', () => {
  it.each(['serve', 'snapshot'])(
    'does not grow for %s',
    (command) => {
      // --help loads the command's modules without running it: the young generation as V8 started it.
      expect(youngGenerationOf(command)).toBeLessThanOrEqual(2 * MB)
    },
    60_000,
  )

  it('grows as V8 chooses for commands that do not run the engine', () => {
    expect(youngGenerationOf('export')).toBeGreaterThanOrEqual(8 * MB)
  }, 60_000)
})
