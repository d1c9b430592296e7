import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../core/history/history-store.ts'
import { main } from '../main.ts'
import type { CommandIO } from '../usage.ts'
import { historyPathFor } from '../../core/history/paths.ts'
import { parseExportArgs, parseIsoTime } from './export.ts'

const T0 = Date.UTC(2026, 0, 2, 3, 0, 0)
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-export-cli-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function capture(env: NodeJS.ProcessEnv = {}): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env }
}

async function history(): Promise<void> {
  const store = HistoryStore.open(historyPathFor(dir, 'main'))
  await store.recordTick({
    at: T0,
    rooms: [{ room: 'a', count: 1, groups: {} }],
    joins: [{ room: 'a', user: 'max', group: null }],
    leaves: [],
    total: 1,
    channels: 1,
    unmatched: 0,
  })
  await store.recordTick({
    at: T0 + 5_000,
    rooms: [{ room: 'b', count: 2, groups: {} }],
    joins: [],
    leaves: [{ room: 'a', user: 'max', group: null }],
    total: 2,
    channels: 2,
    unmatched: 0,
  })
  await store.close()
}

describe('headcount export flags', () => {
  it('has defaults: the last 24 hours at 1-minute resolution, with the total', async () => {
    await history()
    const config = parseExportArgs(['--out', 'x.csv'], { HEADCOUNT_DATA: dir }, T0)
    expect(config).toMatchObject({
      dbPath: historyPathFor(dir, 'main'),
      from: T0 - 86_400_000,
      to: T0,
      resolution: '1m',
      sessions: false,
      includeTotal: true,
      rooms: undefined,
      ranged: false,
    })
    expect(config.out).toMatch(/\/x\.csv$/)
  })

  it('reads every flag', async () => {
    await history()
    const config = parseExportArgs(
      [
        '--data',
        dir,
        '--rooms',
        'a, b,',
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-02T03:04:05+02:00',
        '--resolution',
        'raw',
        '--no-total',
        '--out',
        'y.csv',
      ],
      {},
      0,
    )
    expect(config).toMatchObject({
      rooms: ['a', 'b'],
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 0, 2, 1, 4, 5),
      resolution: 'raw',
      includeTotal: false,
      ranged: true,
    })
  })

  it('parses ISO 8601 dates and times, UTC unless told otherwise', () => {
    expect(parseIsoTime('2026-01-02', '--from')).toBe(Date.UTC(2026, 0, 2))
    expect(parseIsoTime('2026-01-02T03:04', '--from')).toBe(Date.UTC(2026, 0, 2, 3, 4))
    expect(parseIsoTime('2026-01-02T03:04:05.250Z', '--from')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 250))
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '2026-01-02T25:00', '1700000000000', ''])
      expect(() => parseIsoTime(bad, '--from')).toThrow(/--from/)
  })

  it.each([
    [['--resolution', '1m'], /--out FILE is required/],
    [['--out', 'x.csv', '--resolution', '5m'], /--resolution must be one of raw, 10s, 1m, 1h/],
    [['--out', 'x.csv', '--from', 'soon'], /--from must be an ISO 8601/],
    [['--out', 'x.csv', '--from', '2026-01-02', '--to', '2026-01-01'], /--from must be before --to/],
    [['--out', 'x.csv', '--rooms', ' , '], /--rooms needs at least one/],
    [['--out', 'x.csv', '--sessions', '--resolution', 'raw'], /--resolution applies to occupancy/],
    [['--out', 'x.csv', '--bogus'], /Unknown option/],
  ])('exits 2 with one line for %j', async (args, message) => {
    const io = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', ...args], io)).toBe(2)
    expect(io.stderr).toHaveLength(1)
    expect(io.stderr[0]).toMatch(message)
  })
})

describe('headcount export', () => {
  it('exports occupancy and prints one summary line', async () => {
    await history()
    const out = join(dir, 'occupancy.csv')
    const io = capture({ HEADCOUNT_DATA: dir })
    const code = await main(
      ['export', '--from', '2026-01-02T03:00:00Z', '--to', '2026-01-02T03:01:00Z', '--resolution', 'raw', '--out', out],
      io,
    )
    expect(io.stderr).toEqual([])
    expect(code).toBe(0)
    expect(io.stdout).toEqual([`Exported 5 rows to ${out}`])
    expect(readFileSync(out, 'utf8').split('\r\n')[0]).toBe('time,room,count,gap')
  })

  it('exports sessions of chosen rooms', async () => {
    await history()
    const out = join(dir, 'sessions.csv')
    const io = capture()
    expect(await main(['export', '--data', dir, '--sessions', '--rooms', 'a', '--out', out], io)).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(
      'room,user,group,joined,left,duration_s,join_note,leave_note\r\na,max,,2026-01-02T03:00:00.000Z,2026-01-02T03:00:05.000Z,5,,\r\n',
    )
  })

  it('names in its help every column the files have', async () => {
    await history()
    const help = capture()
    expect(await main(['export', '--help'], help)).toBe(0)
    const text = help.stdout.join('\n').replace(/\s+/g, '')
    for (const args of [['--sessions'], ['--resolution', 'raw'], ['--resolution', '1m']]) {
      const out = join(dir, 'columns.csv')
      expect(await main(['export', '--data', dir, ...args, '--out', out], capture())).toBe(0)
      const header = readFileSync(out, 'utf8').split('\r\n')[0] ?? ''
      expect(text, args.join(' ')).toContain(header)
    }
  })

  it('exits 1 with one line for a missing database, an invalid one, an unknown room or an unwritable file', async () => {
    const missing = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--out', join(dir, 'x.csv')], missing)).toBe(1)
    expect(missing.stderr).toEqual([`headcount export: No history in ${dir}: connect to an app with Headcount first`])

    mkdirSync(join(dir, 'history'), { recursive: true })
    writeFileSync(historyPathFor(dir, 'main'), 'not a database at all')
    const invalid = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--out', join(dir, 'x.csv')], invalid)).toBe(1)
    expect(invalid.stderr).toHaveLength(1)
    expect(invalid.stderr[0]).toMatch(/not a Headcount history database/)
    rmSync(historyPathFor(dir, 'main'))

    await history()
    const unknown = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--rooms', 'a,zzz', '--out', join(dir, 'x.csv')], unknown)).toBe(1)
    expect(unknown.stderr).toEqual(['headcount export: No history for room "zzz"'])

    const unwritable = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--out', join(dir, 'no', 'such', 'x.csv')], unwritable)).toBe(1)
    expect(unwritable.stderr).toEqual([
      `headcount export: Cannot write ${join(dir, 'no', 'such', 'x.csv')}: its folder does not exist`,
    ])
  })
})

describe("choosing a connection's history", () => {
  it('takes the only one, or the one --profile names, and asks when several exist', async () => {
    const { writeFileSync: write } = await import('node:fs')
    for (const id of ['a1', 'b2']) {
      const store = HistoryStore.open(historyPathFor(dir, id))
      await store.close()
    }
    write(
      join(dir, 'settings.json'),
      JSON.stringify({
        profiles: [
          { id: 'a1', name: 'Production' },
          { id: 'b2', name: 'Staging' },
        ],
      }),
    )
    const ambiguous = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--out', join(dir, 'x.csv')], ambiguous)).toBe(2)
    expect(ambiguous.stderr[0]).toMatch(/choose one with --profile \("Production" \(a1\), "Staging" \(b2\)\)/)
    expect(parseExportArgs(['--profile', 'Staging', '--out', 'x.csv'], { HEADCOUNT_DATA: dir }, T0).dbPath).toBe(
      historyPathFor(dir, 'b2'),
    )
    expect(parseExportArgs(['--profile', 'a1', '--out', 'x.csv'], { HEADCOUNT_DATA: dir }, T0).dbPath).toBe(
      historyPathFor(dir, 'a1'),
    )
    const unknown = capture({ HEADCOUNT_DATA: dir })
    expect(await main(['export', '--profile', 'Dev', '--out', join(dir, 'x.csv')], unknown)).toBe(1)
    expect(unknown.stderr[0]).toMatch(/No history for connection "Dev"/)
  })
})
