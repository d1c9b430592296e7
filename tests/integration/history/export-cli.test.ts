import { historyPathFor } from '../../../src/core/history/paths.ts'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/core/history/history-store.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
const T0 = Date.UTC(2026, 0, 2)
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-export-bin-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'export', ...args], {
    env: { ...process.env, HEADCOUNT_DATA: dir, ...env },
    stdio: 'pipe',
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += String(chunk)))
  child.stderr.on('data', (chunk) => (stderr += String(chunk)))
  const [code] = await once(child, 'exit')
  return { code: code as number, stdout, stderr }
}

describe('headcount export (the installed command)', () => {
  it('exports from the data folder while the history is open for writing elsewhere', async () => {
    const store = HistoryStore.open(historyPathFor(dir, 'main'))
    for (let i = 0; i < 120; i += 1)
      await store.recordTick({
        at: T0 + i * 5_000,
        rooms: [{ room: 'hall', count: i % 10, groups: { staff: i % 3 } }],
        joins: [],
        leaves: [],
        total: i % 10,
        channels: i % 10,
        unmatched: 0,
      })
    const out = join(dir, 'hall.csv')
    const result = await run([
      '--from',
      '2026-01-02',
      '--to',
      '2026-01-02T00:10:00Z',
      '--resolution',
      '1m',
      '--out',
      out,
    ])
    await store.close()
    expect(result).toEqual({ code: 0, stdout: `Exported 20 rows to ${out}\n`, stderr: '' })
    const lines = readFileSync(out, 'utf8').split('\r\n')
    expect(lines[0]).toBe('time,room,count,min,max,avg,gap,group:staff')
    expect(lines[1]).toMatch(/^2026-01-02T00:00:00\.000Z,\*total\*,1,0,9,/)
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([])
  })

  it('exits 1 with one line without a history, and 2 for bad usage', async () => {
    const missing = await run(['--out', join(dir, 'x.csv')])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/No history in .*: connect to an app with Headcount first/)
    const bad = await run(['--out', join(dir, 'x.csv'), '--resolution', '2m'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toEqual([
      'headcount export: --resolution must be one of raw, 10s, 1m, 1h, got "2m" (see headcount export --help)',
    ])
  })
})
