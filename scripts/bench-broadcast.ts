// Broadcaster figures (DESIGN.md §8: "10,000 rooms at 1 s within Pusher's batch limits"). For 1,000 and
// 10,000 rooms whose counts ALL change every second (the worst case: every room needs an event every
// tick), a real Engine syncs from the emulator every second and broadcasts at 1 s. Printed: requests per
// second, events per request, CPU time and wall time per tick in the engine's process, and the messages
// vanilla presence would have delivered for the same joins and leaves against the broadcaster's.
//
// The emulator runs in a child process (this script, forked with --emulator-child) so the CPU measured
// is Headcount's alone. Each participant is injected twice: on `private-{room}-{group}-{user}` (what the
// engine syncs) and as a member of `presence-{room}`, so the emulator's delivery accounting measures
// what vanilla presence would actually have delivered (member_added, member_removed, and the member list
// to each joiner).
//
// Then the broadcaster alone (every room changing at every tick, no sync or history in the process): its
// CPU per tick as the median of several runs, next to baselines measured in the same run on the same
// requests: the pusher SDK's `triggerBatch` sending them (what signing and sending costs a user of the
// SDK) and JSON.stringify of the same payloads; and the longest event-loop block. Prints figures only:
// no pass/fail.
//   node scripts/bench-broadcast.ts        (npm run bench:broadcast; HEADCOUNT_BENCH_QUICK=1 for a short run;
//                                           --alone: only the broadcaster alone, at 10,000 rooms;
//                                           --profile NAME: NAME-runN.cpuprofile, a CPU profile of each broadcaster-alone run)
import { watchLoopBlocks } from './lib/loop-block.ts'
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import Pusher from 'pusher'
import { Broadcaster } from '../src/core/broadcast/broadcaster.ts'
import type { BatchSink } from '../src/core/broadcast/delivery.ts'
import type { Marker } from '../src/core/broadcast/marker.ts'
import { type BatchEvent, ChannelsClient, type RequestOptions } from '../src/core/channels/client.ts'
import { Engine } from '../src/core/engine.ts'
import { silentLogger } from '../src/core/logger.ts'
import { MemorySecretStore } from '../src/core/secret-store.ts'
import { FileSettingsStore } from '../src/core/settings-store.ts'
import { type BroadcastStatus, DEFAULT_BROADCAST_SETTINGS } from '../src/shared/broadcast.ts'
import { compileConvention } from '../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS } from '../src/shared/sync.ts'
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts'

const QUICK = process.env.HEADCOUNT_BENCH_QUICK === '1'
/** Only the broadcaster alone, at 10,000 rooms (for profiling and quick comparisons). */
const ALONE = process.argv.includes('--alone')
/** Where to write a CPU profile of the broadcaster-alone runs (baselines left out), if anywhere. */
const PROFILE = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined
const ROOM_SIZE = 20
const WARMUP_MS = QUICK ? 4000 : 6000
const WINDOW_MS = QUICK ? 5000 : 15_000

// ---- the emulator child -------------------------------------------------------------------------------

interface Participant {
  user: string
  handles: [number, number]
}

type ToChild = { type: 'churn' } | { type: 'mark' } | { type: 'count' }
type FromChild =
  | { type: 'ready'; port: number; appId: string; key: string; secret: string }
  | { type: 'count'; presenceJoins: number; presenceLeaves: number; lastChurnMs: number }

async function emulatorChild(rooms: number): Promise<void> {
  const silent = { info() {}, warn() {}, error() {} }
  const emulator: RunningEmulator = await startEmulator({
    port: 0,
    presenceLimit: ROOM_SIZE * 4,
    vacateDelayMs: 0,
    logger: silent,
  })
  let next = 0
  let presenceJoins = 0
  let presenceLeaves = 0
  let lastChurnMs = 0
  const join = (room: number): Participant => {
    const user = `u${next++}`
    const group = next % 2 === 0 ? 'red' : 'blue'
    presenceJoins++
    const [own, presence] = emulator.injectMany([
      { channel: `private-room${room}-${group}-${user}` },
      { channel: `presence-room${room}`, userId: user },
    ]) as [number, number]
    return { user, handles: [own, presence] }
  }
  const leave = (participant: Participant): void => {
    presenceLeaves++
    emulator.removeInjectedMany(participant.handles)
  }
  const crowd: Participant[][] = Array.from({ length: rooms }, (_, room) =>
    Array.from({ length: ROOM_SIZE }, () => join(room)),
  )
  let second = 0
  const churn = (): void => {
    const started = performance.now()
    second++
    // Every room changes every second: one person replaced, and one more arriving or leaving in turn.
    for (let room = 0; room < rooms; room++) {
      const here = crowd[room] as Participant[]
      leave(here.shift() as Participant)
      here.push(join(room))
      if (second % 2 === 1) here.push(join(room))
      else leave(here.shift() as Participant)
    }
    lastChurnMs = performance.now() - started
  }
  process.on('message', (message: ToChild) => {
    if (message.type === 'churn') setInterval(churn, 1000)
    if (message.type === 'mark') {
      presenceJoins = 0
      presenceLeaves = 0
    }
    if (message.type === 'count')
      process.send?.({ type: 'count', presenceJoins, presenceLeaves, lastChurnMs } satisfies FromChild)
  })
  process.on('disconnect', () => process.exit(0))
  process.send?.({
    type: 'ready',
    port: emulator.port,
    appId: emulator.appId,
    key: emulator.key,
    secret: emulator.secret,
  } satisfies FromChild)
}

// ---- the engine side ----------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length === 0
    ? NaN
    : sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const int = (v: number): string => Math.round(v).toLocaleString('en-US')

interface Row {
  rooms: number
  participants: number
  ticks: number
  requestsPerSecond: number
  eventsPerRequest: number
  maxEventsPerRequest: number
  cpuMedian: number
  cpuP90: number
  wallMedian: number
  broadcasterMessages: number
  vanillaEstimate: number
  vanillaEmulator: number
  windowSeconds: number
  failures: number
  isolated: Isolated
}

interface Isolated {
  runs: number
  ticksPerRun: number
  /** Median over runs of each run's median CPU per tick. */
  cpuMedian: number
  wallMedian: number
  /** The longest the event loop was held (wall time, GC included), and the most of its own CPU in one hold. */
  maxBlockMs: number
  maxBlockOwnCpuMs: number
  eventsPerTick: number
  requestsPerTick: number
  /** The same requests (channels, names, data) sent with the pusher SDK's `triggerBatch`, 8 at a time. */
  sdkCpuMedian: number
  /** JSON.stringify of the same event payloads (each summary object once). */
  stringifyCpuMedian: number
}

/** Forwards to the Channels client; during a recorded tick, keeps each batch it was asked to send. */
class RecordingSink implements BatchSink {
  recording = false
  readonly batches: BatchEvent[][] = []
  private readonly client: ChannelsClient
  constructor(client: ChannelsClient) {
    this.client = client
  }
  triggerBatch(batch: readonly BatchEvent[], options: RequestOptions): Promise<string> {
    if (this.recording) this.batches.push([...batch])
    return this.client.triggerBatch(batch, options)
  }
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/** CPU of sending `batches` with the SDK, `concurrency` requests in flight, as a user would. */
async function sdkSendCpu(pusher: Pusher, batches: readonly BatchEvent[][], concurrency: number): Promise<number> {
  const cpu = process.cpuUsage()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await pusher.triggerBatch(batches[next++] as BatchEvent[])
    }),
  )
  return cpuMs(cpu)
}

/** CPU of JSON.stringify of every summary in the batches (parsed back first: the objects a user would hold). */
function stringifyCpu(batches: readonly BatchEvent[][]): number {
  const objects = batches.flat().map((event) => JSON.parse(event.data) as unknown)
  const cpu = process.cpuUsage()
  let bytes = 0
  for (const object of objects) bytes += JSON.stringify(object).length
  if (bytes === 0) throw new Error('nothing stringified')
  return cpuMs(cpu)
}

/**
 * The broadcaster alone: a presence state in which every room changes at every tick, sent to the
 * emulator, with no sync or history in the process, so the CPU per tick is the broadcaster's (planning,
 * serialising, signing, the HTTP client). Several runs, each a fresh broadcaster: the first tick of a
 * run (JIT, connection pool) is left out. After each run, the same requests are sent with the pusher
 * SDK's `triggerBatch` (the baseline: what signing and sending them costs a user of the SDK) and the same
 * payloads are passed through JSON.stringify, in the same process on the same machine.
 */
async function measureIsolated(rooms: number, ready: Extract<FromChild, { type: 'ready' }>): Promise<Isolated> {
  const runs = QUICK ? 3 : 5
  const ticksPerRun = QUICK ? 4 : 6
  const tickMedians: number[] = []
  const wallMedians: number[] = []
  const sdkCpu: number[] = []
  const stringify: number[] = []
  let maxBlockMs = 0
  let maxBlockOwnCpuMs = 0
  let eventsPerTick = 0
  let requestsPerTick = 0
  const pusher = new Pusher({
    appId: ready.appId,
    key: ready.key,
    secret: ready.secret,
    host: '127.0.0.1',
    port: String(ready.port),
    useTLS: false,
  })
  const profiler = PROFILE === undefined ? null : new Session()
  if (profiler !== null) {
    profiler.connect()
    await profiler.post('Profiler.enable')
  }
  for (let run = 0; run < runs; run++) {
    let tick = 0
    const presence = {
      rooms: () => {
        tick++
        return Array.from({ length: rooms }, (_, room) => {
          const red = 10 + (tick % 2)
          return { room: `room${room}`, count: red + 10, groups: { red, blue: 10 } }
        })
      },
      room: () => undefined,
      members: () => ({ total: 0, members: [] }),
    }
    const marker: Marker = {
      id: 'bench',
      state: 'off',
      othersLive: [],
      othersNow: async () => [],
      hold() {},
      release() {},
    }
    const client = new ChannelsClient({
      appId: ready.appId,
      key: ready.key,
      secret: ready.secret,
      target: { kind: 'host', host: '127.0.0.1', port: ready.port, useTLS: false },
    })
    const sink = new RecordingSink(client)
    const statuses: BroadcastStatus[] = []
    const settings = {
      ...DEFAULT_BROADCAST_SETTINGS,
      enabled: true,
      force: true,
      intervalMs: 1000,
      heartbeatMs: 10_000,
      concurrency: 8,
    }
    const broadcaster = new Broadcaster({
      presence,
      sink,
      marker,
      convention: compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' }),
      settings,
      graph: null,
      endpoint: client.endpoint,
      timeoutMs: 10_000,
      logger: silentLogger,
      onStatus: (status) => {
        statuses.push(status)
        // Record the requests of the second tick (the first measured one) for the baselines.
        const ticked = new Set(statuses.map((s) => s.lastTickAt).filter((at) => at !== null)).size
        sink.recording = ticked === 1
      },
    })
    broadcaster.observe({ at: Date.now(), channels: 0, unmatched: 0, joins: [], leaves: [], rooms: [], total: 0 })
    const watch = watchLoopBlocks()
    if (profiler !== null) await profiler.post('Profiler.start')
    await broadcaster.configure(settings)
    for (;;) {
      await sleep(100)
      const ticked = new Set(statuses.map((s) => s.lastTickAt).filter((at) => at !== null)).size
      if (ticked >= ticksPerRun + 1) break
    }
    await broadcaster.close()
    maxBlockMs = Math.max(maxBlockMs, watch.stop())
    maxBlockOwnCpuMs = Math.max(maxBlockOwnCpuMs, watch.longestOwnCpuMs())
    if (profiler !== null) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(`${PROFILE}-run${run + 1}.cpuprofile`, JSON.stringify(profile))
    }
    const ticks = new Map<number, BroadcastStatus>()
    for (const status of statuses) if (status.lastTickAt !== null) ticks.set(status.lastTickAt, status)
    // The first tick warms the JIT and the connection pool.
    const measured = [...ticks.values()].slice(1)
    tickMedians.push(median(measured.map((t) => t.lastTickCpuMs as number)))
    wallMedians.push(median(measured.map((t) => t.lastTickMs as number)))
    requestsPerTick = sink.batches.length
    eventsPerTick = sink.batches.reduce((sum, batch) => sum + batch.length, 0)
    await sleep(300)
    sdkCpu.push(await sdkSendCpu(pusher, sink.batches, settings.concurrency))
    stringify.push(stringifyCpu(sink.batches))
    await sleep(300)
  }
  return {
    runs,
    ticksPerRun,
    cpuMedian: median(tickMedians),
    wallMedian: median(wallMedians),
    maxBlockMs,
    maxBlockOwnCpuMs,
    eventsPerTick,
    requestsPerTick,
    sdkCpuMedian: median(sdkCpu),
    stringifyCpuMedian: median(stringify),
  }
}

async function measure(rooms: number): Promise<Row> {
  const child = fork(import.meta.filename, ['--emulator-child', String(rooms)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const fromChild = (type: FromChild['type']) =>
    new Promise<FromChild>((resolve) => {
      const listener = (message: FromChild) => {
        if (message.type !== type) return
        child.off('message', listener)
        resolve(message)
      }
      child.on('message', listener)
    })
  const ready = (await fromChild('ready')) as Extract<FromChild, { type: 'ready' }>
  const isolated = await measureIsolated(rooms, ready)
  if (ALONE) {
    child.disconnect()
    return { rooms, isolated } as Row
  }
  const base = `http://127.0.0.1:${ready.port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-bench-broadcast-'))
  const engine = new Engine({
    version: 'bench',
    runtime: 'web',
    dataDir,
    settings: new FileSettingsStore(join(dataDir, 'settings.json'), silentLogger),
    secrets: new MemorySecretStore(),
    demo: null,
    logger: silentLogger,
  })
  const statuses: BroadcastStatus[] = []
  engine.events.onAny((event, payload) => {
    if (event === 'status' && 'broadcast' in payload && payload.broadcast) statuses.push(payload.broadcast)
  })
  try {
    const profile = await engine.handlers['profiles.save']({
      name: 'bench',
      connection: {
        appId: ready.appId,
        key: ready.key,
        target: { kind: 'host', host: '127.0.0.1', port: ready.port, useTLS: false },
      },
      secret: ready.secret,
      convention: { kind: 'template', template: 'private-{room}-{group}-{user}' },
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })
    await engine.handlers['broadcast.set']({
      id: profile.id,
      settings: { enabled: true, intervalMs: 1000, heartbeatMs: 10_000, concurrency: 8 },
    })
    await engine.handlers['connection.connect']({ id: profile.id })
    child.send({ type: 'churn' } satisfies ToChild)
    await sleep(WARMUP_MS)

    const current = async () => (await engine.handlers['status.get'](undefined)).broadcast as BroadcastStatus
    const before = await current()
    await fetch(`${base}/emulator/stats/reset`, { method: 'POST' })
    child.send({ type: 'mark' } satisfies ToChild)
    const from = statuses.length
    const started = performance.now()
    await sleep(WINDOW_MS)
    const seconds = (performance.now() - started) / 1000
    const after = await current()
    const stats = (await (await fetch(`${base}/emulator/stats`)).json()) as {
      deliveries: { member_added: number; member_removed: number }
    }
    child.send({ type: 'count' } satisfies ToChild)
    const counted = (await fromChild('count')) as Extract<FromChild, { type: 'count' }>

    // One status per tick carries that tick's figures; keep each tick once.
    const ticks = new Map<number, BroadcastStatus>()
    for (const status of statuses.slice(from))
      if (status.lastTickAt !== null && status.lastTickCpuMs !== null) ticks.set(status.lastTickAt, status)
    const tickList = [...ticks.values()]
    const requests = after.requestsToday - before.requestsToday
    const events = after.eventsToday - before.eventsToday
    return {
      rooms,
      participants: rooms * ROOM_SIZE,
      ticks: tickList.length,
      requestsPerSecond: requests / seconds,
      eventsPerRequest: requests > 0 ? events / requests : 0,
      maxEventsPerRequest: 10,
      cpuMedian: median(tickList.map((t) => t.lastTickCpuMs as number)),
      cpuP90: percentile(
        tickList.map((t) => t.lastTickCpuMs as number),
        0.9,
      ),
      wallMedian: median(tickList.map((t) => t.lastTickMs as number)),
      broadcasterMessages: after.messagesToday - before.messagesToday,
      vanillaEstimate: after.vanillaPresence.today - before.vanillaPresence.today,
      // What the emulator delivered on the presence channels: member_added + member_removed + one member list per join.
      vanillaEmulator: stats.deliveries.member_added + stats.deliveries.member_removed + counted.presenceJoins,
      windowSeconds: seconds,
      failures: tickList.filter((t) => t.state === 'failing').length,
      isolated,
    }
  } finally {
    await engine.close()
    child.disconnect()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const rows: Row[] = []
  for (const rooms of ALONE ? [10_000] : [1000, 10_000]) {
    console.log(
      `measuring ${int(rooms)} rooms of ${ROOM_SIZE} (every room changes every second) for ${WINDOW_MS / 1000} s…`,
    )
    rows.push(await measure(rooms))
  }
  if (!ALONE) printEndToEnd(rows)
  printAlone(rows)
}

function printEndToEnd(rows: Row[]): void {
  console.log()
  console.log(
    `Broadcast at 1 s, every room changing every second; ${ROOM_SIZE} people per room; medians over each window`,
  )
  console.log()
  console.log(
    "| rooms | people | requests/s | events/request (max 10) | CPU per tick (median, p90) | tick wall time | broadcaster messages/s | vanilla presence messages/s (Headcount's count / emulator's) | vanilla ÷ broadcaster |",
  )
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of rows) {
    const perSecond = (value: number) => value / row.windowSeconds
    console.log(
      `| ${int(row.rooms)} | ${int(row.participants)} | ${int(row.requestsPerSecond)} | ${row.eventsPerRequest.toFixed(2)} | ` +
        `${row.cpuMedian.toFixed(1)} ms, ${row.cpuP90.toFixed(1)} ms | ${row.wallMedian.toFixed(0)} ms | ${int(perSecond(row.broadcasterMessages))} | ` +
        `${int(perSecond(row.vanillaEstimate))} / ${int(perSecond(row.vanillaEmulator))} | ${(row.vanillaEmulator / row.broadcasterMessages).toFixed(1)}× |`,
    )
  }
  const failing = rows.filter((row) => row.failures > 0)
  if (failing.length > 0)
    console.log(`\nTicks that failed: ${failing.map((row) => `${row.rooms} rooms: ${row.failures}`).join(', ')}`)
  console.log(
    `\nTicks measured: ${rows.map((row) => `${int(row.rooms)} rooms: ${row.ticks}`).join(', ')}. CPU is the engine process's, sync and history included when they ran during a tick.`,
  )
}

function printAlone(rows: Row[]): void {
  console.log()
  console.log(
    'The broadcaster alone (every room changing at every tick, no sync or history in the process); medians over runs, ' +
      'each run the median of its ticks. Baselines in the same run: the same requests sent with the pusher SDK’s ' +
      '`triggerBatch` (8 in flight), and JSON.stringify of the same payloads:',
  )
  console.log()
  console.log(
    '| rooms | events per tick | requests per tick | CPU per tick (median) | SDK `triggerBatch`, same requests | ÷ SDK | JSON.stringify, same payloads | tick wall time | longest event-loop block (most own CPU in one) |',
  )
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const row of rows) {
    const i = row.isolated
    console.log(
      `| ${int(row.rooms)} | ${int(i.eventsPerTick)} | ${int(i.requestsPerTick)} | **${i.cpuMedian.toFixed(1)} ms** | ${i.sdkCpuMedian.toFixed(1)} ms | ` +
        `${(i.cpuMedian / i.sdkCpuMedian).toFixed(2)}× | ${i.stringifyCpuMedian.toFixed(1)} ms | ${i.wallMedian.toFixed(0)} ms | ${i.maxBlockMs.toFixed(0)} ms (${i.maxBlockOwnCpuMs.toFixed(0)} ms) |`,
    )
  }
  console.log(
    `\n(${rows[0]?.isolated.runs} runs of ${rows[0]?.isolated.ticksPerRun} ticks, the first tick of each included in the longest block; the emulator answering in another process on the same cores. ` +
      'A block is wall time, so on a shared machine it also holds time the OS gave other processes; the CPU in brackets is this thread’s own. ' +
      `Load average at the end: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(', ')}.)`,
  )
}

if (process.argv.includes('--emulator-child')) {
  await emulatorChild(Number(process.argv[process.argv.indexOf('--emulator-child') + 1]))
} else {
  await main()
}
