// The whole sync pipeline as DESIGN §8 measures it: from the bytes of a `GET /channels` response to
// updated room counts, joins/leaves and stored history (PresenceState + HistoryStore on disk), for
// 10,000 / 100,000 / 1,000,000 channels, as ratios to JSON.parse of the same bytes in the same process.
// Each size runs in a fresh child process so its memory figures are its own. The first tick is handed
// to the history as the engine hands it: a fresh reading, joins read lazily.
//
// Then the engine's real first sync as `serve` runs it (the sync loop polling the emulator, the presence
// state, the history on disk: src/core/monitor.ts) with a crowd of --members (default 1,000,000), in
// fresh processes, --runs times (the emulator at a lower priority, as Pusher's servers do not share the
// engine's cores: see startEmulator): from start to the first tick stored, peak RSS (VmHWM), the longest
// event-loop block (a 1 ms timer and monitorEventLoopDelay) and GC pause, beside JSON.parse of the same
// body in the same process and the naive script's whole process (scripts/lib/naive-snapshot.mjs: the
// `pusher` SDK's `get`, JSON.parse, a Map of Sets). Each run's engine runs twice, taking turns: from
// the TypeScript sources, and as shipped (this script bundled to plain JS as `npm run build` bundles the
// CLI; the desktop app and the npm package run bundled JS). As shipped, each process then makes --resyncs
// (default 2) more first syncs, as a reconnection or a changed convention or sync mode does: their peaks
// and longest blocks too. Every engine process runs with glibc's mmap threshold as serve does
// (src/core/malloc-tuning.ts). Medians.
// Prints figures; no pass/fail.
//
//   node scripts/bench-pipeline.ts [--sizes 10000,100000,1000000] [--members 1000000] [--runs 3]
//                                  [--resyncs 2] [--no-table] [--no-engine]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connectionFromFlags } from '../src/cli/connection-flags.ts'
import { ChannelsClient } from '../src/core/channels/client.ts'
import { HistoryStore } from '../src/core/history/history-store.ts'
import { silentLogger } from '../src/core/logger.ts'
import { FIXED_MMAP_THRESHOLD_ENV } from '../src/core/malloc-tuning.ts'
import { Monitor } from '../src/core/monitor.ts'
import { joinsOf } from '../src/core/presence/joins.ts'
import { PresenceState } from '../src/core/presence/presence-state.ts'
import { holdYoungGeneration, STOP_YOUNG_GENERATION_GROWTH } from '../src/core/young-generation.ts'
import { DEFAULT_BROADCAST_SETTINGS } from '../src/shared/broadcast.ts'
import { compileConvention, type NamingConvention } from '../src/shared/naming.ts'
import type { Tick } from '../src/shared/presence.ts'
import { DEFAULT_SYNC_OPTIONS } from '../src/shared/sync.ts'
import pkg from '../package.json' with { type: 'json' }
import {
  EMULATOR_NICENESS,
  measureProcess,
  median,
  NAIVE,
  ROOT,
  startEmulator,
  type ProcessFigures,
} from './lib/crowd-processes.ts'
import { peakRssMb, watchLoop } from './lib/first-sync-probe.ts'

const GROUPS = ['players', 'players', 'players', 'red', 'blue', 'staff']
const MB = 1048576

/** `size` channels over size/1000 rooms with a skewed spread; `shift` replaces that many users with new ones. */
function body(size: number, shift: number): Uint8Array {
  const rooms = Math.max(10, Math.round(size / 1000))
  const parts: string[] = []
  for (let i = shift; i < size + shift; i++) {
    const skewed = Math.floor(rooms * Math.pow(((i * 2654435761) >>> 0) / 4294967296, 2.5))
    parts.push(`"private-room${skewed}-${GROUPS[i % GROUPS.length]}-u${i}":{}`)
  }
  return new TextEncoder().encode(`{"channels":{${parts.join(',')}}}`)
}

function jsonParseMs(bytes: Uint8Array, runs = 3): number {
  const decoder = new TextDecoder()
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    JSON.parse(decoder.decode(bytes))
    times.push(performance.now() - started)
  }
  return median(times)
}

// ---- the in-process table ---------------------------------------------------------------------------

/** Rounds of a poll of the same channels and one with 1 % churn, after the two right after the first sync. */
const LATER_ROUNDS = 3

async function measure(size: number): Promise<Record<string, number>> {
  const first = body(size, 0)
  const churned = body(size, Math.round(size / 100))
  const jsonParse = jsonParseMs(first)

  const dir = mkdtempSync(join(tmpdir(), 'headcount-bench-pipeline-'))
  const history = HistoryStore.open(join(dir, 'history.sqlite'))
  const presence = new PresenceState(compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' }))
  const baseRss = process.memoryUsage().rss
  let fresh = true

  async function pipeline(bytes: Uint8Array, at: number): Promise<number> {
    const started = performance.now()
    // As the engine does it (monitor.ts): joins read lazily, the first tick a fresh reading.
    const result = await presence.ingestChannelList(bytes, at, { lazyJoins: true })
    await history.recordTick({ ...result, joins: joinsOf(result), baseline: fresh })
    fresh = false
    await history.flush()
    return performance.now() - started
  }

  let probe = watchLoop()
  const firstMs = await pipeline(first, Date.now())
  const firstLoop = probe.stop()
  const peakRss = peakRssMb()
  probe = watchLoop()
  // The two polls right after the first sync, then rounds of both: right after it, a poll's tick also
  // waits for the checkpoint of the first sync's writes (the WAL is kept bounded, see checkpointer.ts).
  const steadyMs = await pipeline(first, Date.now() + 5000)
  const churnMs = await pipeline(churned, Date.now() + 10_000)
  const steadyLater: number[] = []
  const churnLater: number[] = []
  for (let round = 1; round <= LATER_ROUNDS; round++) {
    steadyLater.push(await pipeline(first, Date.now() + 10_000 + round * 10_000))
    churnLater.push(await pipeline(churned, Date.now() + 15_000 + round * 10_000))
  }
  const steadyLoop = probe.stop()
  await history.close()
  rmSync(dir, { recursive: true, force: true })
  return {
    size,
    bytes: first.byteLength,
    jsonParse,
    firstMs,
    steadyMs,
    churnMs,
    steadyLaterMs: median(steadyLater),
    churnLaterMs: median(churnLater),
    firstBlock: firstLoop.blockMs,
    firstBlockCpu: firstLoop.blockCpuMs,
    firstGc: firstLoop.gcMs,
    steadyBlock: steadyLoop.blockMs,
    peakRss,
    baseRss: baseRss / MB,
  }
}

function printTable(sizes: number[]): void {
  const mb = (value: number) => `${value.toFixed(0)} MB`
  const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`
  console.log(
    'From response bytes to room counts, joins/leaves and history on disk, in one process (ratios to JSON.parse of the same bytes):\n',
  )
  const header = [
    'channels',
    'body',
    'JSON.parse',
    'first sync (all join)',
    'steady (same)',
    '1% churn',
    `later: same / churn (median of ${LATER_ROUNDS})`,
    'longest block first (its CPU) / later',
    'longest GC, first',
    'peak RSS (bodies in memory)',
  ]
  const rows: string[][] = []
  for (const size of sizes) {
    // With glibc's mmap threshold as serve runs (src/core/malloc-tuning.ts).
    const child = spawnSync(process.execPath, [import.meta.filename, '--child', String(size)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, ...FIXED_MMAP_THRESHOLD_ENV },
    })
    if (child.status !== 0) {
      console.error(child.stderr)
      process.exit(1)
    }
    const r = JSON.parse(child.stdout) as Record<string, number>
    const base = r.jsonParse as number
    rows.push([
      (r.size as number).toLocaleString('en-US'),
      mb((r.bytes as number) / MB),
      ms(base),
      `${ms(r.firstMs as number)} (${ratio(r.firstMs as number, base)})`,
      `${ms(r.steadyMs as number)} (${ratio(r.steadyMs as number, base)})`,
      `${ms(r.churnMs as number)} (${ratio(r.churnMs as number, base)})`,
      `${ratio(r.steadyLaterMs as number, base)} / ${ratio(r.churnLaterMs as number, base)}`,
      `${ms(r.firstBlock as number)} (CPU ${ms(r.firstBlockCpu as number)}) / ${ms(r.steadyBlock as number)}`,
      ms(r.firstGc as number),
      mb(r.peakRss as number),
    ])
  }
  printRows(header, rows)
}

function printRows(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  )
  for (const row of [header, ...rows])
    console.log(row.map((cell, column) => cell.padStart(widths[column] as number)).join('  '))
}

// ---- the engine's first sync against the emulator ------------------------------------------------------

const TEMPLATE: NamingConvention = { kind: 'template', template: 'private-{room}-{group}-{user}' }

interface EngineFigures {
  /** From starting the monitor to its first tick stored in the history. */
  firstSyncMs: number
  total: number
  openSessions: number
  bytes: number
  jsonParseMs: number
  rssBeforeMb: number
  peakRssMb: number
  blockMs: number
  blockCpuMs: number
  delayMs: number
  gcMs: number
  /** Peaks of the first syncs made again in the same process (see engineFirstSync). */
  resyncPeaksMb: number[]
  /** Their longest event-loop blocks, wall and the thread's CPU, from the monitor's start. */
  resyncBlockMs: number[]
  resyncBlockCpuMs: number[]
}

/**
 * One engine first sync in this (fresh) process: what `serve` does when it connects to the app. Then, with
 * `resyncs`, as many more in the same process, each by a new monitor over the same history file once the
 * previous one has stopped and its history closed, as a reconnection or a changed sync mode or
 * convention makes them: their peaks (VmHWM reset before each; NaN where /proc can't reset it).
 */
async function engineFirstSync(url: string, resyncs: number): Promise<EngineFigures> {
  const credentials = connectionFromFlags({ url }, {})
  if (!credentials) throw new Error(`not a connection URL: ${url}`)
  const dir = mkdtempSync(join(tmpdir(), 'headcount-bench-first-sync-'))
  const { secret: _secret, ...connection } = credentials
  /** A monitor's first sync, from its start to its first tick stored, over a history opened for it. */
  const firstSync = async () => {
    const history = HistoryStore.open(join(dir, 'history.sqlite'))
    await history.flush()
    let firstTick: (tick: Tick) => void = () => {}
    const ticked = new Promise<Tick>((resolve) => (firstTick = resolve))
    const monitor = new Monitor({
      profile: {
        id: 'bench',
        name: 'bench',
        connection,
        convention: TEMPLATE,
        // One poll in the measurement: the next is minutes away.
        sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 300 },
        broadcast: DEFAULT_BROADCAST_SETTINGS,
        alerts: [],
      },
      credentials,
      history,
      logger: silentLogger,
      requestTimeoutMs: 120_000,
      // Called once the tick is in the history (monitor.ts stores it first).
      onTick: (tick) => firstTick(tick),
      onStatus: () => {},
    })
    const rssBeforeMb = process.memoryUsage().rss / MB
    const probe = watchLoop()
    const started = performance.now()
    await monitor.start()
    const tick = await ticked
    const firstSyncMs = performance.now() - started
    const loop = probe.stop()
    const peak = peakRssMb()
    await monitor.stop()
    const openSessions = history.openSessionCount()
    await history.close()
    return { tick, firstSyncMs, loop, peak, rssBeforeMb, openSessions }
  }
  try {
    const first = await firstSync()
    const resyncPeaksMb: number[] = []
    const resyncBlockMs: number[] = []
    const resyncBlockCpuMs: number[] = []
    for (let round = 0; round < resyncs; round++) {
      const reset = resetPeakRss()
      const again = await firstSync()
      resyncPeaksMb.push(reset ? again.peak : Number.NaN)
      resyncBlockMs.push(again.loop.blockMs)
      resyncBlockCpuMs.push(again.loop.blockCpuMs)
    }
    // The baseline, on the same bytes: what any JSON-based reader pays before looking at a channel.
    const client = new ChannelsClient(credentials, { timeoutMs: 120_000 })
    const response = await client.listChannels('private-')
    return {
      firstSyncMs: first.firstSyncMs,
      total: first.tick.total,
      openSessions: first.openSessions,
      bytes: response.body.byteLength,
      jsonParseMs: jsonParseMs(response.body),
      rssBeforeMb: first.rssBeforeMb,
      peakRssMb: first.peak,
      resyncPeaksMb,
      resyncBlockMs,
      resyncBlockCpuMs,
      ...first.loop,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Resets this process's VmHWM to its RSS now (Linux: clear_refs 5); false where it can't. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

/**
 * This script as the product ships its code: one plain-JS module bundled by vite the way `npm run build`
 * bundles the CLI (runtime dependencies left as imports, so it lives where node_modules resolves), for
 * the engine child to run from. Run from the TypeScript sources, Node strips types as it loads them,
 * which costs the process about 20 MB that neither the desktop app nor the npm package pays.
 */
async function bundledSelf(): Promise<string> {
  const outDir = join(ROOT, 'node_modules/.cache/headcount-bench-pipeline')
  // vite too: loaded by the parent only (imported on demand), never by the engine child.
  const external = new Set([...Object.keys(pkg.dependencies), ...builtinModules, 'vite'])
  const { build } = await import('vite')
  const packageName = (id: string) =>
    id
      .split('/')
      .slice(0, id.startsWith('@') ? 2 : 1)
      .join('/')
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: import.meta.filename,
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      rollupOptions: {
        external: (id) => id.startsWith('node:') || external.has(packageName(id)),
        output: { format: 'es', entryFileNames: 'bench-pipeline.mjs', codeSplitting: false },
      },
    },
    ssr: { target: 'node', noExternal: true },
  })
  return join(outDir, 'bench-pipeline.mjs')
}

function engineRun(script: string, emulatorUrl: string, resyncs = 0): EngineFigures {
  // The engine's process as bin/headcount.mjs starts `serve`: glibc's mmap threshold fixed
  // (src/core/malloc-tuning.ts), V8's young generation stopped growing before any module loads, then
  // held by the child's monitors as the command's are (src/core/young-generation.ts).
  const stopGrowth = `data:text/javascript,import { setFlagsFromString } from 'node:v8'; setFlagsFromString('${STOP_YOUNG_GENERATION_GROWTH}')`
  const child = spawnSync(
    process.execPath,
    ['--import', stopGrowth, script, '--engine-child', emulatorUrl, '--resyncs', String(resyncs)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, ...FIXED_MMAP_THRESHOLD_ENV },
    },
  )
  if (child.status !== 0) throw new Error(`the engine run failed:\n${child.stderr}`)
  const figures = JSON.parse(child.stdout) as EngineFigures
  if (figures.openSessions !== figures.total)
    throw new Error(`${figures.total} present but ${figures.openSessions} open sessions`)
  return figures
}

async function printEngine(members: number, runs: number, resyncs: number): Promise<void> {
  const emulator = await startEmulator(members, 5000, EMULATOR_NICENESS)
  const scratch = mkdtempSync(join(tmpdir(), 'headcount-bench-pipeline-naive-'))
  try {
    const bundled = await bundledSelf()
    const engine: EngineFigures[] = []
    const shipped: EngineFigures[] = []
    const naive: ProcessFigures[] = []
    // One naive run first, unmeasured: the emulator's first answer also compiles its code.
    await measureProcess([NAIVE, emulator.url, 'private-'], scratch)
    for (let run = 0; run < runs; run++) {
      engine.push(engineRun(import.meta.filename, emulator.url))
      shipped.push(engineRun(bundled, emulator.url, resyncs))
      naive.push(await measureProcess([NAIVE, emulator.url, 'private-'], scratch))
    }
    const pick = (key: keyof EngineFigures, of = engine) => median(of.map((figures) => figures[key]))
    const worst = (key: keyof EngineFigures, of = engine) => Math.max(...of.map((figures) => figures[key]))
    const parse = pick('jsonParseMs')
    const rows: Array<[string, string]> = [
      ['people present (open sessions after)', pick('total').toLocaleString('en-US')],
      ['body', `${(pick('bytes') / MB).toFixed(1)} MB`],
      ['JSON.parse of the same body', `${parse.toFixed(0)} ms`],
      [
        'first sync, start to tick stored',
        `${pick('firstSyncMs').toFixed(0)} ms (${(pick('firstSyncMs') / parse).toFixed(2)}× JSON.parse)`,
      ],
      ['peak RSS (VmHWM)', `${pick('peakRssMb').toFixed(0)} MB (worst ${worst('peakRssMb').toFixed(0)} MB)`],
      ['  RSS before the sync', `${pick('rssBeforeMb').toFixed(0)} MB`],
      [
        'longest event-loop block (1 ms timer)',
        `${pick('blockMs').toFixed(1)} ms (worst ${worst('blockMs').toFixed(1)} ms)`,
      ],
      [
        '  the same in CPU time of the thread',
        `${pick('blockCpuMs').toFixed(1)} ms (worst ${worst('blockCpuMs').toFixed(1)} ms)`,
      ],
      ['  monitorEventLoopDelay max', `${pick('delayMs').toFixed(1)} ms (worst ${worst('delayMs').toFixed(1)} ms)`],
      ['  longest GC pause', `${pick('gcMs').toFixed(1)} ms (worst ${worst('gcMs').toFixed(1)} ms)`],
      [
        'as shipped (bundled JS): peak RSS (VmHWM)',
        `${pick('peakRssMb', shipped).toFixed(0)} MB (worst ${worst('peakRssMb', shipped).toFixed(0)} MB)`,
      ],
      ['  RSS before the sync', `${pick('rssBeforeMb', shipped).toFixed(0)} MB`],
      [
        '  first sync, start to tick stored',
        `${pick('firstSyncMs', shipped).toFixed(0)} ms (${(pick('firstSyncMs', shipped) / pick('jsonParseMs', shipped)).toFixed(2)}× JSON.parse)`,
      ],
      [
        '  longest event-loop block (its CPU)',
        `${pick('blockMs', shipped).toFixed(1)} ms (${pick('blockCpuMs', shipped).toFixed(1)}), worst ${worst('blockMs', shipped).toFixed(1)} ms (${worst('blockCpuMs', shipped).toFixed(1)})`,
      ],
      ...Array.from({ length: resyncs }, (_, round): [string, string] => {
        const peaks = shipped.map((figures) => figures.resyncPeaksMb[round] ?? Number.NaN)
        const blocks = shipped.map((figures) => figures.resyncBlockMs[round] ?? Number.NaN)
        const blocksCpu = shipped.map((figures) => figures.resyncBlockCpuMs[round] ?? Number.NaN)
        const peak = peaks.some(Number.isNaN)
          ? '— (no /proc/self/clear_refs to reset the peak)'
          : `${median(peaks).toFixed(0)} MB (worst ${Math.max(...peaks).toFixed(0)} MB)`
        return [
          `  first sync again in the process (${ordinal(round + 2)}): peak RSS; longest block (its CPU)`,
          `${peak}; ${median(blocks).toFixed(1)} ms (${median(blocksCpu).toFixed(1)}), worst ${Math.max(...blocks).toFixed(1)} ms (${Math.max(...blocksCpu).toFixed(1)})`,
        ]
      }),
      [
        'naive script, whole process: wall / peak RSS',
        `${median(naive.map((f) => f.wallMs)).toFixed(0)} ms / ${median(naive.map((f) => f.peakRssMb)).toFixed(0)} MB`,
      ],
    ]
    console.log(
      `\nThe engine's first sync as serve runs it (sync loop, presence, history on disk) against the emulator (at niceness ${EMULATOR_NICENESS}) with ${members.toLocaleString('en-US')} members: node ${process.version}, medians of ${runs} fresh processes each from the TypeScript sources and as shipped (bundled, taking turns), load average ${loadAverage()}\n`,
    )
    const width = Math.max(...rows.map(([label]) => label.length))
    for (const [label, value] of rows) console.log(`${label.padEnd(width)}   ${value}`)
  } finally {
    emulator.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

function ordinal(n: number): string {
  return n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    members: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    child: { type: 'string' },
    'engine-child': { type: 'string' },
    resyncs: { type: 'string', default: '2' },
    'no-table': { type: 'boolean', default: false },
    'no-engine': { type: 'boolean', default: false },
  },
})
if (values.child) {
  process.stdout.write(JSON.stringify(await measure(Number(values.child))))
} else if (values['engine-child']) {
  holdYoungGeneration()
  process.stdout.write(JSON.stringify(await engineFirstSync(values['engine-child'], Number(values.resyncs))))
  process.exit(0)
} else {
  if (!values['no-table']) printTable((values.sizes ?? '10000,100000,1000000').split(',').map(Number))
  if (!values['no-engine']) await printEngine(Number(values.members), Number(values.runs), Number(values.resyncs))
}
