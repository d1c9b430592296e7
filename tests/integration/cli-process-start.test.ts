import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import { FIXED_MMAP_THRESHOLD_ENV } from '../../src/core/malloc-tuning.ts'

// `serve` keeps a million people's presence in large blocks of memory: on Linux, bin/headcount.mjs
// restarts it in place with glibc's mmap threshold fixed (src/core/malloc-tuning.ts), unless the
// operator set one. Checked from outside, in the running process's own environment.

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')
let dataDir: string
let emulator: RunningEmulator | undefined
const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await emulator?.close()
  emulator = undefined
  rmSync(dataDir, { recursive: true, force: true })
})

/** Starts `serve` with `env` added; resolves with its environment once it has printed its address. */
async function serveEnvironment(env: Record<string, string>): Promise<Map<string, string>> {
  dataDir = mkdtempSync(join(tmpdir(), 'headcount-process-start-'))
  emulator = await startEmulator()
  const { MALLOC_MMAP_THRESHOLD_: _inherited, ...inherited } = process.env
  const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--url', emulator.url], {
    env: { ...inherited, ...env, HEADCOUNT_DATA: dataDir },
  })
  children.push(child)
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of reader) {
    expect(line).toMatch(/http:\/\/127\.0\.0\.1:\d+\//)
    break
  }
  // The same process id as spawned: restarted in place, not in a child of its own.
  const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8')
  return new Map(
    environ
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  )
}

describe.skipIf(process.platform !== 'linux')('headcount serve as it starts', () => {
  it('runs with glibc told to keep large blocks in their own mappings', { timeout: 60_000 }, async () => {
    const environment = await serveEnvironment({})
    for (const [name, value] of Object.entries(FIXED_MMAP_THRESHOLD_ENV)) expect(environment.get(name)).toBe(value)
    expect(environment.get('HEADCOUNT_DATA')).toBe(dataDir)
  })

  it("keeps the operator's own threshold", { timeout: 60_000 }, async () => {
    const environment = await serveEnvironment({ MALLOC_MMAP_THRESHOLD_: '262144' })
    expect(environment.get('MALLOC_MMAP_THRESHOLD_')).toBe('262144')
  })
})
