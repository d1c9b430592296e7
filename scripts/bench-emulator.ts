// Emulator benchmark: GET /channels over 10k / 100k / 1M injected private channels (time, size, memory
// per member), and the message cost of vanilla presence against Headcount's pattern for rooms of 100,
// 1,000 and 10,000 people. Prints figures only: no pass/fail.
//   node scripts/bench-emulator.ts            (npm run bench:emulator)
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Pusher from 'pusher'
import { type RunningEmulator, startEmulator } from '../src/emulator/index.ts'
import { AppState } from '../src/emulator/state.ts'
import { Crowd } from '../src/emulator/crowd/crowd.ts'
import { InjectedCrowdDriver } from '../src/emulator/crowd/injected-driver.ts'
import { seededRandom } from '../src/shared/seeded-random.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function settle(): void {
  for (let i = 0; i < 3; i++) gc()
}

/** Zipf-like room popularity: a few rooms hold most people. */
function* skewedMembers(count: number, rooms: number, seed: number): Generator<{ channel: string }> {
  const random = seededRandom(seed)
  const weights = Array.from({ length: rooms }, (_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative: number[] = []
  let acc = 0
  for (const w of weights) cumulative.push((acc += w / total))
  for (let m = 0; m < count; m++) {
    const r = random()
    let lo = 0
    let hi = rooms - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] ?? 1) < r) lo = mid + 1
      else hi = mid
    }
    yield { channel: `private-room${lo}-u${m}` }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const ms = (v: number): string => `${v.toFixed(1)} ms`
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const int = (v: number): string => Math.round(v).toLocaleString('en-US')

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function sdkFor(emulator: RunningEmulator): Pusher {
  return new Pusher({
    appId: emulator.appId,
    key: emulator.key,
    secret: emulator.secret,
    host: '127.0.0.1',
    port: String(emulator.port),
    useTLS: false,
  })
}

async function channelsBench(): Promise<void> {
  const rows: string[][] = []
  for (const count of [10_000, 100_000, 1_000_000]) {
    settle()
    const heapBefore = process.memoryUsage().heapUsed
    const rssBefore = process.memoryUsage().rss
    const emulator = await startEmulator()
    const rooms = Math.max(10, Math.round(count / 1000))
    const t0 = performance.now()
    const handles = emulator.injectMany(skewedMembers(count, rooms, 7))
    const injectMs = performance.now() - t0
    settle()
    const heapPerMember = (process.memoryUsage().heapUsed - heapBefore) / count
    const rssPerMember = (process.memoryUsage().rss - rssBefore) / count

    const sdk = sdkFor(emulator)
    const times: number[] = []
    let bytes = 0
    let listed = 0
    for (let run = 0; run < 5; run++) {
      const start = performance.now()
      const response = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-' } })
      const body = await response.text()
      times.push(performance.now() - start)
      bytes = Buffer.byteLength(body)
      if (run === 0) listed = Object.keys((JSON.parse(body) as { channels: object }).channels).length
    }
    const parseStart = performance.now()
    JSON.parse(await (await sdk.get({ path: '/channels', params: { filter_by_prefix: 'private-' } })).text())
    const parseMs = performance.now() - parseStart
    rows.push([
      int(count),
      int(rooms),
      ms(injectMs),
      ms(median(times)),
      ms(parseMs),
      mb(bytes),
      `${(bytes / listed).toFixed(1)} B`,
      `${heapPerMember.toFixed(0)} B`,
      `${rssPerMember.toFixed(0)} B`,
    ])
    if (listed !== count) throw new Error(`expected ${count} channels, listed ${listed}`)
    void handles.length
    await emulator.close()
  }
  console.log(
    '\nGET /channels?filter_by_prefix=private- over injected private channels private-room{N}-u{M} (skewed rooms)',
  )
  console.log('(request time = signed request through the pusher SDK until the whole body is read; median of 5)\n')
  console.log(
    table(
      [
        'members',
        'rooms',
        'inject',
        'GET /channels',
        'GET + JSON.parse',
        'body',
        'per entry',
        'heap/member',
        'RSS/member',
      ],
      rows,
    ),
  )
}

/** How the body is built: written into a Buffer (what the emulator does) against JSON.stringify of an object. */
function serialisationBench(): void {
  const state = new AppState({ presenceLimit: 100, vacateDelayMs: 0, webhookSink: null })
  for (const entry of skewedMembers(1_000_000, 1000, 11)) state.inject(entry.channel)
  const concat: number[] = []
  const stringify: number[] = []
  for (let run = 0; run < 5; run++) {
    let start = performance.now()
    const a = state.channelsBody('private-', false, false)
    concat.push(performance.now() - start)
    start = performance.now()
    const channels: Record<string, object> = {}
    for (const ch of state.channels.values())
      if (ch.name.startsWith('private-') && ch.subscriptionCount > 0) channels[ch.name] = {}
    const b = JSON.stringify({ channels })
    stringify.push(performance.now() - start)
    if (a.length !== Buffer.byteLength(b)) throw new Error('serialisations differ')
  }
  state.close()
  console.log(
    `\nBuilding the 1,000,000-channel body in process (median of 5): direct Buffer writer ${ms(median(concat))}, object + JSON.stringify ${ms(median(stringify))}`,
  )
}

async function presenceBench(): Promise<void> {
  const rows: string[][] = []
  const seconds = 60
  for (const size of [100, 1_000, 10_000]) {
    const churnPerSecond = Math.ceil(size * 0.01)
    const emulator = await startEmulator({ presenceLimit: 1_000_000 })
    const sdk = sdkFor(emulator)
    const total = () => emulator.stats().deliveries.total

    // Vanilla presence: everyone joins presence-room one by one, each join is announced to all others.
    emulator.resetStats()
    const presence: number[] = []
    for (let i = 0; i < size; i++)
      presence.push(emulator.inject('presence-room', { userId: `u${i}`, userInfo: { name: `User ${i}` } }))
    const presenceJoin = total()
    emulator.resetStats()
    for (let s = 0; s < seconds; s++) {
      // 1% of the room leaves and comes back each second.
      for (let k = 0; k < churnPerSecond; k++) {
        const slot = (s * churnPerSecond + k) % size
        emulator.removeInjected(presence[slot] as number)
        presence[slot] = emulator.inject('presence-room', { userId: `u${slot}`, userInfo: { name: `User ${slot}` } })
      }
    }
    const presenceChurn = total()

    // The pattern: a private channel per user, plus the shared room channel for the broadcast count.
    emulator.resetStats()
    const own: number[] = []
    const room: number[] = []
    for (let i = 0; i < size; i++) {
      own.push(emulator.inject(`private-room-u${i}`))
      room.push(emulator.inject('room-counts'))
    }
    const patternJoin = total()
    emulator.resetStats()
    for (let s = 0; s < seconds; s++) await sdk.trigger('room-counts', 'count', { room: 'room', count: size, t: s })
    const patternSteady = total()
    emulator.resetStats()
    for (let s = 0; s < seconds; s++) {
      for (let k = 0; k < churnPerSecond; k++) {
        const slot = (s * churnPerSecond + k) % size
        emulator.removeInjected(own[slot] as number)
        emulator.removeInjected(room[slot] as number)
        own[slot] = emulator.inject(`private-room-u${slot}`)
        room[slot] = emulator.inject('room-counts')
      }
    }
    const patternChurn = total() + patternSteady

    rows.push([
      int(size),
      int(presenceJoin),
      '0',
      int(presenceChurn),
      int(patternJoin),
      int(patternSteady),
      int(patternChurn),
      `${(presenceJoin / patternJoin).toFixed(1)}x`,
      `${(presenceChurn / patternChurn).toFixed(1)}x`,
    ])
    await emulator.close()
  }
  console.log(
    '\nMessages delivered: vanilla presence vs the pattern (private channel per user + one count/s on the room channel)',
  )
  console.log(
    '(presence limit lifted; join phase = everyone joining one by one; 60 s steady = no arrivals or departures;',
  )
  console.log(
    " 60 s churn = 1% of the room leaves and rejoins every second; the pattern's 60 s columns include its 60 counts)\n",
  )
  console.log(
    table(
      [
        'room',
        'presence join',
        'presence 60s steady',
        'presence 60s churn',
        'pattern join',
        'pattern 60s steady',
        'pattern 60s churn',
        'join ratio',
        'churn ratio',
      ],
      rows,
    ),
  )
}

/** A whole room injected as a crowd (own channel + room channel each), then counts broadcast to it. */
async function crowdRoomBench(): Promise<void> {
  const rows: string[][] = []
  for (const size of [10_000, 100_000, 1_000_000]) {
    const emulator = await startEmulator()
    const sdk = sdkFor(emulator)
    settle()
    const heapBefore = process.memoryUsage().heapUsed
    const crowd = new Crowd({ size, rooms: 1, seed: 1 })
    const driver = new InjectedCrowdDriver(crowd, emulator)
    let start = performance.now()
    driver.populate()
    const populateMs = performance.now() - start
    settle()
    const heapPerMember = (process.memoryUsage().heapUsed - heapBefore) / size
    const before = emulator.deliveredTo('room1')
    const triggers: number[] = []
    for (let i = 0; i < 10; i++) {
      start = performance.now()
      await sdk.trigger('room1', 'occupancy', { room: 'room1', count: size, ts: i })
      triggers.push(performance.now() - start)
    }
    const perTrigger = (emulator.deliveredTo('room1') - before) / 10
    if (perTrigger !== size) throw new Error(`expected ${size} deliveries per count, counted ${perTrigger}`)
    rows.push([int(size), ms(populateMs), `${int(heapPerMember)} B`, ms(median(triggers)), int(perTrigger)])
    driver.clear()
    await emulator.close()
  }
  console.log(
    '\nA room injected as a crowd (own channel + room channel {room} per member), a count triggered to it 10 times\n',
  )
  console.log(table(['room', 'populate', 'heap/member', 'trigger (SDK, median)', 'deliveries per count (exact)'], rows))
}

console.log(`Headcount emulator benchmark (node ${process.version}, ${process.platform}/${process.arch})`)
await channelsBench()
serialisationBench()
await presenceBench()
await crowdRoomBench()
