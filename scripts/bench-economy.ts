// The message economy in figures (issue 13): one room of 1,000, 10,000, 100,000 and 1,000,000 people
// (injected into the emulator, each subscribed to the room channel, so its delivery accounting is
// exact), 1 % of the room replaced a minute, for 10 simulated minutes at a 1 s interval, with no budget
// and with budgets of 4 M, 10 M and 90 M messages a day. Time is simulated (the broadcaster runs on an
// injected clock and timers); every request is real, to the emulator. Printed per run:
//   deliveries per participant per minute over the 10 minutes (first value included), and per day at the
//   rate of minutes 2-10 (first value left out); events published; messages by the emulator's count and by
//   Headcount's; the most the budget's bucket could let through in the 10 minutes, and whether spend stayed
//   within it; the largest error between the true count and what participants last saw (and in %).
//   node scripts/bench-economy.ts    (npm run bench:economy; HEADCOUNT_BENCH_QUICK=1: 1k to 100k only)
import { Broadcaster } from '../src/core/broadcast/broadcaster.ts'
import type { Marker } from '../src/core/broadcast/marker.ts'
import { SimulatedClock } from '../src/core/broadcast/simulated-clock.ts'
import { seededRandom } from '../src/shared/seeded-random.ts'
import { type BatchEvent, ChannelsClient, type RequestOptions } from '../src/core/channels/client.ts'
import { silentLogger } from '../src/core/logger.ts'
import type { Member, RoomSummary } from '../src/core/presence/types.ts'
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts'
import { DEFAULT_BROADCAST_SETTINGS, type RoomSummaryPayload } from '../src/shared/broadcast.ts'
import { compileConvention } from '../src/shared/naming.ts'

const QUICK = process.env.HEADCOUNT_BENCH_QUICK === '1'
const SIZES = QUICK ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000]
const BUDGETS: Array<number | null> = [null, 4_000_000, 10_000_000, 90_000_000]
/** The table's window, as the issue asks; then the run goes on so the daily rate is a steady one. */
const MINUTES = 10
const RUN_MINUTES = QUICK ? 40 : 120
/** The daily rate is measured from here to the end, past the first values and the bucket's first fill. */
const STEADY_FROM_MINUTES = QUICK ? 20 : 30
const CHURN_PER_MINUTE = 0.01
const INTERVAL_MS = 1000
/** A day's start plus a minute: the whole day's budget lies ahead. */
const START = Date.UTC(2026, 2, 4, 0, 1)

const marker: Marker = {
  id: 'bench',
  state: 'off',
  othersLive: [],
  othersNow: async () => [],
  hold() {},
  release() {},
}

interface Row {
  size: number
  budget: number | null
  perParticipantPerMinute: number
  perParticipantPerDay: number
  events: number
  emulatorMessages: number
  headcountMessages: number
  allowance: number | null
  maxError: number
  maxErrorShare: number
  precision: string
}

async function run(emulator: RunningEmulator, size: number, budget: number | null, index: number): Promise<Row> {
  const random = seededRandom(index + 1)
  const room = `econ${index}`
  const channel = `private-${room}`
  // Two groups, so subgroups are rounded too; each member's handle in the emulator, by group.
  const groups: Record<'red' | 'blue', number[]> = { red: [], blue: [] }
  let next = 0
  const join = (count: number): Member[] => {
    const joined: Member[] = []
    const entries = Array.from({ length: count }, () => ({ channel }))
    const handles = emulator.injectMany(entries)
    for (const handle of handles) {
      const group = random() < 0.6 ? 'red' : 'blue'
      groups[group].push(handle)
      if (joined.length < 1000) joined.push({ room, group, user: `u${next}` })
      next++
    }
    return joined
  }
  const leave = (count: number): Member[] => {
    const left: Member[] = []
    const handles: number[] = []
    for (let i = 0; i < count; i++) {
      const total = groups.red.length + groups.blue.length
      if (total === 0) break
      const group = random() * total < groups.red.length ? 'red' : 'blue'
      const list = groups[group]
      const at = Math.floor(random() * list.length)
      handles.push(list[at] as number)
      list[at] = list[list.length - 1] as number
      list.pop()
      if (left.length < 1000) left.push({ room, group, user: `l${i}` })
    }
    emulator.removeInjectedMany(handles)
    return left
  }
  join(size)
  const summary = (): RoomSummary => ({
    room,
    count: groups.red.length + groups.blue.length,
    groups: { red: groups.red.length, blue: groups.blue.length },
  })

  const client = new ChannelsClient({
    appId: emulator.appId,
    key: emulator.key,
    secret: emulator.secret,
    target: { kind: 'host', host: '127.0.0.1', port: emulator.port, useTLS: false },
  })
  let shown: RoomSummaryPayload | null = null
  let events = 0
  const sink = {
    async triggerBatch(batch: readonly BatchEvent[], options: RequestOptions): Promise<string> {
      const answer = await client.triggerBatch(batch, options)
      events += batch.length
      // What participants now see: the last part carries the count like every part.
      shown = JSON.parse((batch.at(-1) as BatchEvent).data) as RoomSummaryPayload
      return answer
    },
  }
  const clock = new SimulatedClock(START)
  const settings = {
    ...DEFAULT_BROADCAST_SETTINGS,
    enabled: true,
    force: true,
    intervalMs: INTERVAL_MS,
    channelTemplate: 'private-{room}',
    budget: budget === null ? null : { messagesPerDay: budget, plan: null },
  }
  const broadcaster = new Broadcaster({
    presence: {
      rooms: () => [summary()],
      room: (id) => (id === room ? summary() : undefined),
      members: () => ({ total: 0, members: [] }),
    },
    sink,
    marker,
    convention: compileConvention({ kind: 'template', template: 'private-{room}-{user}' }),
    settings,
    graph: null,
    endpoint: client.endpoint,
    timeoutMs: 30_000,
    logger: silentLogger,
    onStatus: () => {},
    now: () => clock.now,
    random,
    timers: clock,
  })
  broadcaster.observe({ at: clock.now, channels: 1, unmatched: 0, joins: [], leaves: [], rooms: [summary()], total: 0 })
  await broadcaster.configure(settings)

  const perSecond = (size * CHURN_PER_MINUTE) / 60
  let maxError = 0
  let maxErrorShare = 0
  let atMinutes = 0
  let steadyFrom = 0
  const eventDeliveries = () => emulator.stats(0).deliveries.event
  const startDeliveries = eventDeliveries()
  const precisions = new Set<string>()
  let eventsAtMinutes = 0
  for (let second = 1; second <= RUN_MINUTES * 60; second++) {
    const at = START + second * 1000
    const joins = join(Math.floor(perSecond + random()))
    const leaves = leave(Math.floor(perSecond + random()))
    broadcaster.observe({ at, channels: 1, unmatched: 0, joins, leaves, rooms: [summary()], total: 0 })
    await clock.advanceTo(at)
    if (second === MINUTES * 60) {
      atMinutes = eventDeliveries() - startDeliveries
      eventsAtMinutes = events
    }
    if (second === STEADY_FROM_MINUTES * 60) steadyFrom = eventDeliveries() - startDeliveries
    const current: RoomSummaryPayload | null = shown
    if (current !== null) {
      const truth = summary().count
      const error = Math.abs(truth - current.count)
      maxError = Math.max(maxError, error)
      maxErrorShare = Math.max(maxErrorShare, error / Math.max(1, truth))
      precisions.add(current.precision === undefined ? 'exact' : `${current.precision} fig.`)
    }
  }
  const status = broadcaster.status()
  await broadcaster.close()
  // Deliveries of the events sent (not the subscription confirmations injected members get on joining).
  const deliveries = eventDeliveries() - startDeliveries
  leave(groups.red.length + groups.blue.length)
  const capacity = budget === null ? null : (status.budget?.capacity ?? 0)
  return {
    size,
    budget,
    perParticipantPerMinute: atMinutes / size / MINUTES,
    perParticipantPerDay: ((deliveries - steadyFrom) / size / (RUN_MINUTES - STEADY_FROM_MINUTES)) * 1440,
    events: eventsAtMinutes,
    emulatorMessages: deliveries + events,
    headcountMessages: status.messagesToday,
    allowance: capacity === null || budget === null ? null : capacity + ((2 * budget) / 86_400) * RUN_MINUTES * 60,
    maxError,
    maxErrorShare,
    precision: [...precisions].join(', '),
  }
}

const compact = (value: number): string =>
  new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 }).format(value)
const fixed = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, logger: { info() {}, warn() {}, error() {} } })
  const rows: Row[] = []
  try {
    let index = 0
    for (const size of SIZES) {
      for (const budget of BUDGETS) {
        const started = Date.now()
        const row = await run(emulator, size, budget, index++)
        rows.push(row)
        process.stderr.write(
          `  ${compact(size)} at ${budget === null ? 'no budget' : compact(budget)}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        )
      }
    }
  } finally {
    await emulator.close()
  }
  console.log(
    `\nOne room, ${CHURN_PER_MINUTE * 100} % replaced a minute, at a ${INTERVAL_MS / 1000} s interval, private-{room}, against the emulator.\n` +
      `Deliveries per participant a minute and events: the first ${MINUTES} simulated minutes (first value included). ` +
      `Per day: at the rate of minutes ${STEADY_FROM_MINUTES}-${RUN_MINUTES}. Messages, allowance and errors: the whole ${RUN_MINUTES} minutes.\n`,
  )
  const header = [
    'room',
    'budget/day',
    `deliv./part./min (${MINUTES} min)`,
    'deliv./part./day',
    `events (${MINUTES} min)`,
    'messages (emulator)',
    'messages (Headcount)',
    'bucket allowance',
    'within',
    'max error',
    'max error %',
    'precision sent',
  ]
  const lines = rows.map((row) => [
    compact(row.size),
    row.budget === null ? 'none' : compact(row.budget),
    fixed(row.perParticipantPerMinute),
    fixed(row.perParticipantPerDay),
    row.events.toLocaleString('en-US'),
    row.emulatorMessages.toLocaleString('en-US'),
    row.headcountMessages.toLocaleString('en-US'),
    row.allowance === null ? '—' : Math.round(row.allowance).toLocaleString('en-US'),
    row.allowance === null
      ? '—'
      : row.emulatorMessages <= row.allowance && row.emulatorMessages <= (row.budget ?? 0)
        ? 'yes'
        : 'NO',
    row.maxError.toLocaleString('en-US'),
    (row.maxErrorShare * 100).toFixed(3),
    row.precision,
  ])
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  )
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  console.log(format(header))
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const line of lines) console.log(format(line))
}

await main()
