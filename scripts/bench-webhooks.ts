// The webhook firehose (issue: "≥ 20,000 channel events/s sustained, signatures checked, nothing lost").
// A real `headcount serve` (spawned through bin/headcount.mjs, against the embedded emulator for its
// first snapshot) receives signed, batched channel_occupied / channel_vacated webhooks as Pusher sends
// them (up to 20 events per POST, `time_ms` on the body, X-Pusher-Key and an HMAC-SHA256 X-Pusher-Signature
// of the body), at increasing rates, while a WebSocket client is subscribed to its events as the UI is.
//
// For each rate, printed:
// - whether nothing was lost: the joins and leaves in the ticks the UI received add up to the occupied
//   and vacated events the receiver accepted, and the rooms the engine lists equal what was sent;
// - the delay: from an event's `time_ms` to the UI receiving the tick that carries it, beyond the
//   receiver's flush cadence (events wait up to one flush by design). A tick's events are all newer than
//   the newest event of the tick before (its `at`), so that bounds the wait of each;
// - 503s (the receiver's queue of accepted-but-unapplied events was full; the sender retries after
//   Retry-After, as Pusher does, so nothing is lost, but the rate was not sustained);
// - the serve process's CPU (from /proc) per 1,000 events and as a share of one core;
// - the serve process's longest event-loop block, measured inside it (scripts/lib/report-loop-delay.ts,
//   preloaded), and the longest a call from the UI waited for its answer (status.get every 50 ms).
// The webhooks are posted by a child process (this script with --sender), so the sender's CPU is not
// taken from the receiving side's measurements in this process.
// The sustained rate is the highest at which nothing was lost, no 503 was needed, the sender kept up
// and no tick reached the UI more than 1 s after its flush was due.
//   node scripts/bench-webhooks.ts        (npm run bench:webhooks; HEADCOUNT_BENCH_QUICK=1 for a short run)
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Pool } from 'undici'
import WebSocket from 'ws'
import { startEmulator } from '../src/emulator/index.ts'
import type { RoomsSnapshot, Tick } from '../src/shared/presence.ts'
import type { Status } from '../src/shared/status.ts'
import { DEFAULT_SYNC_OPTIONS } from '../src/shared/sync.ts'
import type { ServerFrame } from '../src/shared/wire.ts'

const QUICK = process.env.HEADCOUNT_BENCH_QUICK === '1'
const RATES = (process.env.HEADCOUNT_BENCH_RATES ?? (QUICK ? '5000,20000' : '5000,10000,20000,30000,40000'))
  .split(',')
  .map(Number)
const STEP_MS = QUICK ? 6000 : 10_000
/** Pusher batches at most 20 events per webhook (or 250 ms). */
const EVENTS_PER_POST = 20
const ROOMS = 1000
/** The receiver's flush cadence (the sync loop's default webhookFlushMs). */
const FLUSH_MS = 1000
/** A channel is vacated no sooner than this after it was occupied: webhooks of one channel never race. */
const MIN_LIFETIME_MS = 3000
const TARGET_LIVE = 40_000
/** Webhooks in flight at once: Pusher posts from many workers. */
const MAX_IN_FLIGHT = 256
const BIN = join(import.meta.dirname, '..', 'bin', 'headcount.mjs')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const int = (value: number) => Math.round(value).toLocaleString('en-US')

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** CPU time of a process so far, in ms (Linux /proc; utime + stime in clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The UI's side: a WebSocket subscribed to the engine's events, with calls. */
class UiClient {
  private readonly socket: WebSocket
  private readonly waiting = new Map<number, (frame: ServerFrame) => void>()
  private nextId = 1
  onTick: (tick: Tick) => void = () => {}

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame
      if ('event' in frame) {
        if (frame.event === 'tick') this.onTick(frame.payload as Tick)
        return
      }
      if (frame.id !== null) this.waiting.get(frame.id)?.(frame)
    })
  }

  static async open(url: string): Promise<UiClient> {
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new UiClient(socket)
  }

  async call<T>(method: string, input?: unknown): Promise<T> {
    const id = this.nextId++
    const reply = await new Promise<ServerFrame>((resolve) => {
      this.waiting.set(id, resolve)
      this.socket.send(JSON.stringify({ id, method, input }))
    })
    this.waiting.delete(id)
    if (!('result' in reply) || !reply.result.ok) throw new Error(`${method} failed: ${JSON.stringify(reply)}`)
    return reply.result.value as T
  }

  close(): void {
    this.socket.close()
  }
}

interface Serve {
  child: ChildProcess
  uiUrl: string
  exited: Promise<number | null>
}

const LOOP_REPORT = join(import.meta.dirname, 'lib', 'report-loop-delay.ts')

async function startServe(
  url: string,
  dataDir: string,
  report: { loopDelay(ms: number): void; gcPause(ms: number): void },
): Promise<Serve> {
  const child = spawn(process.execPath, ['--import', LOOP_REPORT, BIN, 'serve', '--http-port', '0', '--url', url], {
    env: { ...process.env, HEADCOUNT_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    const figure = line.match(/^(loop-delay|gc)-max-ms ([\d.]+)$/)
    if (figure?.[1] === 'loop-delay') report.loopDelay(Number(figure[2]))
    else if (figure?.[1] === 'gc') report.gcPause(Number(figure[2]))
    else process.stderr.write(`serve: ${line}\n`)
  })
  // Read to the end: a pipe left unread would block the process once full.
  const uiUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const url = line.match(/^Headcount web UI: (http:\/\/127\.0\.0\.1:\d+)\/$/)?.[1]
      if (url) resolve(url)
    })
    lines.on('close', () => reject(new Error('serve printed no URL')))
  })
  return { child, uiUrl, exited }
}

/** What was sent and accepted: the live channels in order of occupation, and the counts. */
class Crowd {
  private next = 0
  /** Live channels, oldest first (a ring: `head` is the oldest). */
  private live: Array<{ channel: string; room: number; at: number }> = []
  private head = 0
  readonly roomCounts = new Int32Array(ROOMS)

  /** The next event: a new channel, or the oldest one vacated once the crowd is large and it is old enough. */
  nextEvent(now: number): { name: 'channel_occupied' | 'channel_vacated'; channel: string } {
    const oldest = this.live[this.head]
    if (this.size >= TARGET_LIVE && oldest !== undefined && now - oldest.at >= MIN_LIFETIME_MS) {
      this.head++
      if (this.head > 100_000) {
        this.live = this.live.slice(this.head)
        this.head = 0
      }
      this.roomCounts[oldest.room] = (this.roomCounts[oldest.room] as number) - 1
      return { name: 'channel_vacated', channel: oldest.channel }
    }
    const id = this.next++
    const room = id % ROOMS
    const channel = `private-room${room}-u${id}`
    this.live.push({ channel, room, at: now })
    this.roomCounts[room] = (this.roomCounts[room] as number) + 1
    return { name: 'channel_occupied', channel }
  }

  get size(): number {
    return this.live.length - this.head
  }
}

interface StepResult {
  rate: number
  sentPerSecond: number
  accepted: { occupied: number; vacated: number }
  applied: { joins: number; leaves: number }
  ticks: number
  refused503: number
  otherFailures: number
  roomsMatch: boolean
  mismatch: string
  worstTickDelayMs: number
  worstBlockMs: number
  worstGcMs: number
  worstCallMs: number
  cpuMs: number
  seconds: number
}

// ---- the sender child --------------------------------------------------------------------------------

interface SenderConfig {
  port: number
  key: string
  secret: string
}
type ToSender = { type: 'step'; rate: number; ms: number }
type FromSender =
  | { type: 'ready' }
  | {
      type: 'done'
      sent: number
      seconds: number
      accepted: { occupied: number; vacated: number }
      refused503: number
      otherFailures: number
      roomCounts: number[]
      live: number
    }

/** Posts the webhooks: paced to the rate, up to MAX_IN_FLIGHT at once, 503s sent again after Retry-After. */
async function senderChild(config: SenderConfig): Promise<void> {
  const pool = new Pool(`http://127.0.0.1:${config.port}`, { connections: MAX_IN_FLIGHT })
  const crowd = new Crowd()
  const step = async (rate: number, ms: number): Promise<FromSender> => {
    const accepted = { occupied: 0, vacated: 0 }
    let refused503 = 0
    let otherFailures = 0
    let inFlight = 0
    const posts: Array<Promise<void>> = []
    const post = async (body: string, counts: { occupied: number; vacated: number }): Promise<void> => {
      const signature = createHmac('sha256', config.secret).update(body).digest('hex')
      inFlight++
      try {
        for (;;) {
          const answer = await pool.request({
            path: '/',
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-pusher-key': config.key,
              'x-pusher-signature': signature,
            },
            body,
          })
          await answer.body.dump()
          if (answer.statusCode === 200) {
            accepted.occupied += counts.occupied
            accepted.vacated += counts.vacated
            return
          }
          if (answer.statusCode !== 503) {
            otherFailures++
            return
          }
          refused503++
          await sleep(Number(answer.headers['retry-after'] ?? 1) * 1000)
        }
      } catch {
        otherFailures++
      } finally {
        inFlight--
      }
    }
    const started = performance.now()
    let sent = 0
    while (performance.now() - started < ms) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate)
      while (sent + EVENTS_PER_POST <= due && inFlight < MAX_IN_FLIGHT) {
        const now = Date.now()
        const counts = { occupied: 0, vacated: 0 }
        const events = []
        for (let i = 0; i < EVENTS_PER_POST; i++) {
          const event = crowd.nextEvent(now)
          if (event.name === 'channel_occupied') counts.occupied++
          else counts.vacated++
          events.push(event)
        }
        sent += EVENTS_PER_POST
        posts.push(post(JSON.stringify({ time_ms: now, events }), counts))
      }
      await sleep(2)
    }
    const seconds = (performance.now() - started) / 1000
    await Promise.all(posts)
    return {
      type: 'done',
      sent,
      seconds,
      accepted,
      refused503,
      otherFailures,
      roomCounts: [...crowd.roomCounts],
      live: crowd.size,
    }
  }
  process.on('message', (message: ToSender) => {
    if (message.type === 'step') void step(message.rate, message.ms).then((done) => process.send?.(done))
  })
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready' } satisfies FromSender)
}

// ---- the receiving side ------------------------------------------------------------------------------

async function main(): Promise<void> {
  const silent = { info() {}, warn() {}, error() {} }
  const emulator = await startEmulator({ port: 0, logger: silent })
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-bench-webhooks-'))
  let worstBlockMs = 0
  let worstGcMs = 0
  const serve = await startServe(emulator.url, dataDir, {
    loopDelay: (ms) => {
      worstBlockMs = Math.max(worstBlockMs, ms)
    },
    gcPause: (ms) => {
      worstGcMs = Math.max(worstGcMs, ms)
    },
  })
  const pid = serve.child.pid as number
  const ui = await UiClient.open(`${serve.uiUrl.replace('http', 'ws')}/api`)
  const results: StepResult[] = []
  let sender: ChildProcess | null = null
  try {
    const [profile] = await ui.call<Array<{ id: string }>>('profiles.list')
    const webhookPort = await freePort()
    await ui.call('sync.setOptions', {
      id: profile?.id,
      options: { ...DEFAULT_SYNC_OPTIONS, mode: 'webhook', webhookPort },
    })
    for (let attempt = 0; ; attempt++) {
      const status = await ui.call<Status>('status.get')
      if (status.sync?.webhook?.listening && status.sync.lastSuccessAt !== null) break
      if (attempt > 400) throw new Error('the webhook receiver never listened')
      await sleep(50)
    }

    const config: SenderConfig = { port: webhookPort, key: emulator.key, secret: emulator.secret }
    const child = fork(import.meta.filename, ['--sender', JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    sender = child
    const fromSender = <T extends FromSender['type']>(type: T) =>
      new Promise<Extract<FromSender, { type: T }>>((resolve) => {
        const listener = (message: FromSender) => {
          if (message.type !== type) return
          child.off('message', listener)
          resolve(message as Extract<FromSender, { type: T }>)
        }
        child.on('message', listener)
      })
    await fromSender('ready')

    let ticks = { count: 0, joins: 0, leaves: 0, worstDelayMs: 0 }
    // Time of the newest event already shown: a tick's oldest event came after it.
    let shownUpTo = Date.now()
    ui.onTick = (tick) => {
      if (tick.source !== 'webhook') return
      ticks.count++
      ticks.joins += tick.joins
      ticks.leaves += tick.leaves
      // Every event in this tick is newer than `shownUpTo`, so none waited longer than this; by design
      // an event waits up to one flush (FLUSH_MS) before it is applied.
      ticks.worstDelayMs = Math.max(ticks.worstDelayMs, Date.now() - shownUpTo - FLUSH_MS)
      shownUpTo = Math.max(shownUpTo, tick.at)
    }

    for (const rate of RATES) {
      console.log(`${int(rate)} channel events/s for ${STEP_MS / 1000} s…`)
      ticks = { count: 0, joins: 0, leaves: 0, worstDelayMs: 0 }
      shownUpTo = Date.now()
      worstBlockMs = 0
      worstGcMs = 0
      let worstCallMs = 0
      // The UI's calls, every 50 ms: how long the console waits for an answer.
      let pinging = true
      const pings = (async () => {
        while (pinging) {
          const started = performance.now()
          await ui.call('status.get')
          worstCallMs = Math.max(worstCallMs, performance.now() - started)
          await sleep(50)
        }
      })()
      const cpuBefore = processCpuMs(pid)
      const cpuStarted = performance.now()
      child.send({ type: 'step', rate, ms: STEP_MS } satisfies ToSender)
      const done = await fromSender('done')
      // Everything accepted is applied within a flush and a second, or counts as delayed.
      await sleep(FLUSH_MS + 1000)
      pinging = false
      await pings
      const cpuMs = processCpuMs(pid) - cpuBefore
      const cpuSeconds = (performance.now() - cpuStarted) / 1000
      const snapshot = await ui.call<RoomsSnapshot>('rooms.list')
      let mismatch = ''
      const listed = new Map(snapshot.rooms.map((room) => [room.room, room.count]))
      for (let room = 0; room < ROOMS; room++) {
        const expected = done.roomCounts[room] as number
        const got = listed.get(`room${room}`) ?? 0
        if (expected !== got && mismatch === '') mismatch = `room${room}: ${got} listed, ${expected} sent`
      }
      if (snapshot.total !== done.live && mismatch === '')
        mismatch = `${snapshot.total} participants listed, ${done.live} sent`
      const row: StepResult = {
        rate,
        sentPerSecond: done.sent / done.seconds,
        accepted: done.accepted,
        applied: { joins: ticks.joins, leaves: ticks.leaves },
        ticks: ticks.count,
        refused503: done.refused503,
        otherFailures: done.otherFailures,
        roomsMatch: mismatch === '',
        mismatch,
        worstTickDelayMs: Math.max(0, ticks.worstDelayMs),
        worstBlockMs,
        worstGcMs,
        worstCallMs,
        cpuMs,
        seconds: cpuSeconds,
      }
      results.push(row)
      console.log(
        `  sent ${int(row.sentPerSecond)}/s, accepted ${int(row.accepted.occupied + row.accepted.vacated)}, applied ${int(row.applied.joins + row.applied.leaves)} in ${row.ticks} ticks, ` +
          `503: ${row.refused503}, worst tick delay ${int(row.worstTickDelayMs)} ms, worst block ${int(row.worstBlockMs)} ms (GC ${int(row.worstGcMs)} ms), worst call ${int(row.worstCallMs)} ms, ` +
          `CPU ${int(row.cpuMs)} ms` +
          (row.mismatch ? `, MISMATCH ${row.mismatch}` : ''),
      )
    }
  } finally {
    sender?.disconnect()
    ui.close()
    serve.child.kill('SIGTERM')
    await serve.exited
    await emulator.close()
    rmSync(dataDir, { recursive: true, force: true })
  }

  const sustained = (row: StepResult) =>
    row.roomsMatch &&
    row.refused503 === 0 &&
    row.otherFailures === 0 &&
    row.accepted.occupied === row.applied.joins &&
    row.accepted.vacated === row.applied.leaves &&
    row.sentPerSecond >= row.rate * 0.98 &&
    row.worstTickDelayMs <= 1000
  console.log()
  console.log(
    `Signed webhooks (${EVENTS_PER_POST} channel events per POST) to a real \`headcount serve\` in webhook mode, UI connected; ${STEP_MS / 1000} s per rate`,
  )
  console.log()
  console.log(
    '| channel events/s (asked) | sent/s | accepted = applied (joins + leaves) | rooms listed = sent | 503s | worst tick delay past the flush | longest event-loop block (serve) | longest GC pause | worst UI call | serve CPU per 1,000 events | serve CPU (share of a core) | sustained |',
  )
  console.log('|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|:---:|')
  for (const row of results) {
    const accepted = row.accepted.occupied + row.accepted.vacated
    const applied = row.applied.joins + row.applied.leaves
    console.log(
      `| ${int(row.rate)} | ${int(row.sentPerSecond)} | ${int(accepted)} ${accepted === applied ? '=' : '≠'} ${int(applied)} | ${row.roomsMatch ? 'yes' : `no (${row.mismatch})`} | ${row.refused503} | ` +
        `${int(row.worstTickDelayMs)} ms | ${int(row.worstBlockMs)} ms | ${int(row.worstGcMs)} ms | ${int(row.worstCallMs)} ms | ${((row.cpuMs / Math.max(1, accepted)) * 1000).toFixed(1)} ms | ` +
        `${((row.cpuMs / (row.seconds * 1000)) * 100).toFixed(0)} % | ${sustained(row) ? 'yes' : 'no'} |`,
    )
  }
  if (results.some((row) => row.refused503 > 0))
    console.log(
      '\nWhere there were 503s, refused batches were sent again later, out of order with the batches after them ' +
        '(as Pusher retries): a vacate applied before its late occupied leaves the channel vacated and makes that ' +
        'occupied stale, so joins + leaves can be fewer than the events accepted while the rooms still match.',
    )
  const best = results.filter(sustained).at(-1)
  console.log(
    `\nSustained: ${best ? `${int(best.rate)} channel events/s` : 'none of the rates'} (nothing lost, no 503, sender on time, ticks within 1 s of their flush).`,
  )
}

if (process.argv.includes('--sender')) {
  await senderChild(JSON.parse(process.argv[process.argv.indexOf('--sender') + 1] as string) as SenderConfig)
} else {
  await main()
}
