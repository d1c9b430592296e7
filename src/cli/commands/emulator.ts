import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { Crowd } from '../../emulator/crowd/crowd.ts'
import { buildFriendGraph, writeFriendsCsv } from '../../emulator/crowd/friends.ts'
import { InjectedCrowdDriver } from '../../emulator/crowd/injected-driver.ts'
import { groupNamesProblem } from '../../emulator/crowd/naming.ts'
import { DEFAULT_ROOM_CHANNEL, roomChannelProblem } from '../../emulator/crowd/room-channel.ts'
import { DEFAULT_ROOM_SKEW, MAX_ROOMS } from '../../emulator/crowd/population.ts'
import { randomSeed } from '../../emulator/crowd/random.ts'
import { MAX_SOCKET_MEMBERS, SocketCrowdDriver } from '../../emulator/crowd/socket-driver.ts'
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts'
import { DEFAULT_CACHE_TTL_MS } from '../../emulator/options.ts'
import { AppIdSchema } from '../../shared/connection.ts'
import { CommandError, parseCommandArgs, parsePort, UsageError, type Command, type CommandIO } from '../usage.ts'

// Port 6001 is where other self-hosted Pusher-compatible servers (soketi, laravel-websockets) listen, so
// apps already set up for local development find the emulator where they expect one.
export const DEFAULT_EMULATOR_PORT = 6001
export const DEFAULT_APP_ID = '1'
export const DEFAULT_KEY = 'headcount-key'
export const DEFAULT_SECRET = 'headcount-secret'
export const DEFAULT_ROOMS = 10
export const MAX_CROWD = 1_000_000
/** The crowd moves on in fixed one-second steps, so a seed replays the same churn whatever the timer jitter. */
const CHURN_STEP_MS = 1000

export interface EmulatorConfig {
  host: string
  port: number
  appId: string
  key: string
  secret: string
  webhooks: string[]
  crowd: number
  rooms: number
  groups: string[] | undefined
  skew: number
  churn: number
  twoDevices: number
  seed: number
  vacateDelayMs: number | undefined
  presenceLimit: number | undefined
  /** Room channel template of the crowd's members, or null for none. */
  roomChannel: string | null
  cacheTtlMs: number
  friendsFile: string | undefined
  sockets: boolean
  shuffleChannels: boolean
}

const FLAGS = {
  port: { type: 'string' },
  listen: { type: 'string', default: '127.0.0.1' },
  'app-id': { type: 'string', default: DEFAULT_APP_ID },
  key: { type: 'string', default: DEFAULT_KEY },
  secret: { type: 'string', default: DEFAULT_SECRET },
  webhook: { type: 'string', multiple: true },
  crowd: { type: 'string' },
  rooms: { type: 'string' },
  groups: { type: 'string' },
  skew: { type: 'string' },
  churn: { type: 'string' },
  'two-devices': { type: 'string' },
  seed: { type: 'string' },
  'vacate-delay': { type: 'string' },
  'presence-limit': { type: 'string' },
  'room-channel': { type: 'string', default: DEFAULT_ROOM_CHANNEL },
  'cache-ttl': { type: 'string' },
  friends: { type: 'string' },
  sockets: { type: 'boolean', default: false },
  'shuffle-channels': { type: 'boolean', default: false },
} as const

function integer(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got "${value}"`)
  }
  return number
}

function decimal(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${flag} must be a number from ${min} to ${max}, got "${value}"`)
  }
  return number
}

/** Key and secret travel inside the forURL connection URL, so they keep to characters that need no escaping there. */
function credential(value: string, flag: string): string {
  if (!/^[A-Za-z0-9_.~-]{1,128}$/.test(value)) {
    throw new UsageError(`${flag} must be 1 to 128 letters, digits or _ . ~ -, got "${value}"`)
  }
  return value
}

/** Reads and checks every flag; throws `UsageError` with a one-line reason. */
export function parseEmulatorArgs(args: string[]): EmulatorConfig {
  const { values } = parseCommandArgs(args, FLAGS)
  const host = values.listen
  if (host !== 'localhost' && isIP(host) === 0)
    throw new UsageError(`--listen must be an IP address or localhost, got "${host}"`)
  // Any id a Pusher-compatible server may use, as Soketi's app-1: Headcount reads the URL it prints itself.
  const appId = AppIdSchema.safeParse(values['app-id'])
  if (!appId.success) throw new UsageError(`--app-id: ${appId.error.issues[0]?.message}, got "${values['app-id']}"`)
  const webhooks = values.webhook ?? []
  for (const url of webhooks) {
    const parsed = URL.parse(url)
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new UsageError(`--webhook must be an http:// or https:// URL, got "${url}"`)
    }
  }
  const crowd = integer(values.crowd, '--crowd', 0, MAX_CROWD) ?? 0
  const rooms = integer(values.rooms, '--rooms', 1, MAX_ROOMS) ?? DEFAULT_ROOMS
  let groups: string[] | undefined
  if (values.groups !== undefined) {
    groups = values.groups.split(',')
    const problem = groupNamesProblem(groups)
    if (problem) throw new UsageError(`--groups: ${problem}`)
  }
  const sockets = values.sockets
  if (sockets && crowd > MAX_SOCKET_MEMBERS) {
    throw new UsageError(
      `--sockets opens a real connection per member, for crowds of at most ${MAX_SOCKET_MEMBERS}; got --crowd ${crowd} (drop --sockets to inject it)`,
    )
  }
  const roomChannel = values['room-channel'] === 'none' ? null : values['room-channel']
  if (roomChannel !== null) {
    const problem = roomChannelProblem(roomChannel)
    if (problem !== null) throw new UsageError(`--room-channel "${roomChannel}": ${problem} (or "none")`)
  }
  const cacheTtlSec = integer(values['cache-ttl'], '--cache-ttl', 1, 86_400)
  const friendsFile = values.friends === undefined ? undefined : values.friends.trim()
  if (friendsFile === '') throw new UsageError('--friends needs a file name')
  return {
    host,
    port: parsePort(values.port, '--port', DEFAULT_EMULATOR_PORT),
    appId: appId.data,
    key: credential(values.key, '--key'),
    secret: credential(values.secret, '--secret'),
    webhooks,
    crowd,
    rooms,
    groups,
    skew: decimal(values.skew, '--skew', 0, 10) ?? DEFAULT_ROOM_SKEW,
    churn: decimal(values.churn, '--churn', 0, 1) ?? 0,
    twoDevices: decimal(values['two-devices'], '--two-devices', 0, 1) ?? 0,
    seed: integer(values.seed, '--seed', 0, 4294967295) ?? randomSeed(),
    vacateDelayMs: integer(values['vacate-delay'], '--vacate-delay', 0, 600_000),
    presenceLimit: integer(values['presence-limit'], '--presence-limit', 1, MAX_CROWD),
    roomChannel,
    cacheTtlMs: cacheTtlSec === undefined ? DEFAULT_CACHE_TTL_MS : cacheTtlSec * 1000,
    friendsFile: friendsFile === undefined ? undefined : resolve(friendsFile),
    sockets,
    shuffleChannels: values['shuffle-channels'],
  }
}

/** The single ready line scripts wait for: the forURL connection URL, then what the crowd looks like. */
export function readyLine(url: string, config: EmulatorConfig): string {
  const details: string[] = []
  if (config.crowd === 0) details.push('no crowd')
  else {
    details.push(`crowd ${config.crowd} in ${config.rooms} rooms`)
    if (config.groups) details.push(`groups ${config.groups.join(',')}`)
    details.push(config.roomChannel === null ? 'no room channel' : `room channel ${config.roomChannel}`)
    if (config.churn > 0) details.push(`churn ${config.churn}/min`)
    if (config.twoDevices > 0) details.push(`${config.twoDevices} on two devices`)
    details.push(config.sockets ? 'pusher-js sockets' : 'injected')
    details.push(`seed ${config.seed}`)
  }
  if (config.shuffleChannels) details.push('channels listed in random order')
  return `Headcount emulator ready: ${url} (${details.join(', ')})`
}

interface SignalWait {
  stopped: Promise<void>
  readonly received: boolean
  dispose: () => void
}

/** Listens for SIGINT/SIGTERM from the start, so a signal during a slow start-up still stops cleanly. */
function waitForSignal(): SignalWait {
  let stop = (): void => {}
  let received = false
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const onSignal = (): void => {
    received = true
    stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    stopped,
    get received() {
      return received
    },
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

async function start(config: EmulatorConfig, io: CommandIO): Promise<RunningEmulator> {
  // stdout carries only the ready line; the emulator's warnings go to stderr.
  const log = (...parts: unknown[]): void =>
    io.err(
      `headcount emulator: ${parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ')}`,
    )
  try {
    return await startEmulator({
      host: config.host,
      port: config.port,
      appId: config.appId,
      key: config.key,
      secret: config.secret,
      webhooks: config.webhooks,
      vacateDelayMs: config.vacateDelayMs,
      presenceLimit: config.presenceLimit,
      cacheTtlMs: config.cacheTtlMs,
      shuffleChannels: config.shuffleChannels,
      logger: { info() {}, warn: log, error: log },
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      throw new CommandError(
        `Port ${config.port} on ${config.host} is already in use; pick another with --port (0 picks a free one)`,
      )
    if (code === 'EADDRNOTAVAIL') throw new CommandError(`Cannot bind ${config.host}: no such address on this machine`)
    throw new CommandError((error as Error).message)
  }
}

/** Clients can't dial a wildcard listen address; its loopback reaches the same server. */
function dialableHost(hostname: string): string {
  if (hostname === '0.0.0.0') return '127.0.0.1'
  if (hostname === '[::]') return '[::1]'
  return hostname
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run a local Pusher Channels emulator with a simulated crowd',
  usage: `headcount emulator [--port N] [--listen ADDR] [--app-id ID] [--key KEY] [--secret SECRET]
       [--webhook URL ...] [--crowd N] [--rooms R] [--groups a,b] [--skew S] [--churn F]
       [--two-devices F] [--seed S] [--vacate-delay MS] [--presence-limit N] [--room-channel TEMPLATE]
       [--cache-ttl S] [--friends FILE] [--sockets] [--shuffle-channels]

  --port N             port for the HTTP API and WebSocket (default ${DEFAULT_EMULATOR_PORT}; 0 picks a free one)
  --listen ADDR        address to bind (default 127.0.0.1)
  --app-id ID          app id: digits as on Pusher, or a name such as app-1 (default ${DEFAULT_APP_ID})
  --key KEY            app key (default ${DEFAULT_KEY})
  --secret SECRET      app secret (default ${DEFAULT_SECRET})
  --webhook URL        send webhooks to URL; repeat for several receivers
  --crowd N            simulated members present, 0 to ${MAX_CROWD.toLocaleString('en-US')} (default 0)
  --rooms R            rooms the crowd spreads over, busiest first: room1, room2, ... (default ${DEFAULT_ROOMS})
  --groups a,b         subgroups; channels become private-{room}-{group}-{user}
                       (default none: private-{room}-{user})
  --skew S             Zipf exponent of room popularity, 0 for even rooms (default ${DEFAULT_ROOM_SKEW})
  --churn F            share of the crowd replaced per minute, 0 to 1 (default 0)
  --two-devices F      share of members connected twice, to check users are counted once (default 0)
  --seed S             seed for a repeatable crowd, 0 to 4294967295 (default random, printed)
  --vacate-delay MS    delay before channel_vacated webhooks (default 3000, as Pusher)
  --presence-limit N   members allowed per presence channel (default 100, as Pusher)
  --room-channel T     the room channel every member also subscribes to, where broadcasts reach them:
                       a template with {room} such as {room}, private-{room}, cache-{room}, or none
                       (default ${DEFAULT_ROOM_CHANNEL}; a presence-{room} channel needs --presence-limit
                       of at least the busiest room)
  --cache-ttl S        seconds a cache channel keeps its last event (default ${DEFAULT_CACHE_TTL_MS / 1000}, as Pusher)
  --friends FILE       write the crowd's friend graph to FILE as CSV (user,friend)
  --sockets            connect the crowd as real pusher-js clients instead of injecting it
                       (crowds of at most ${MAX_SOCKET_MEMBERS})
  --shuffle-channels   list channels in a new random order on every GET /channels (Pusher promises
                       no order; default: the order they became occupied)

Prints "Headcount emulator ready: http://KEY:SECRET@HOST:PORT/apps/APP_ID (...)", the URL that
--url and PUSHER_URL take (the pusher SDK's forURL form, though forURL turns an app id such as app-1
into a number); stops on SIGINT or SIGTERM.`,
  async run(args, io) {
    const config = parseEmulatorArgs(args)
    const signal = waitForSignal()
    try {
      const crowd = new Crowd({
        size: config.crowd,
        rooms: config.rooms,
        groups: config.groups,
        roomSkew: config.skew,
        churn: config.churn,
        twoDeviceShare: config.twoDevices,
        seed: config.seed,
      })
      if (config.friendsFile !== undefined) {
        try {
          await writeFriendsCsv(buildFriendGraph(crowd.population, { seed: config.seed }), config.friendsFile)
        } catch (error) {
          throw new CommandError(`Cannot write the friend graph to ${config.friendsFile}: ${(error as Error).message}`)
        }
      }

      const emulator = await start(config, io)
      let socketDriver: SocketCrowdDriver | undefined
      let timer: NodeJS.Timeout | undefined
      let step: Promise<unknown> = Promise.resolve()
      try {
        let advance: () => Promise<unknown>
        if (config.sockets) {
          const driver = new SocketCrowdDriver(crowd, {
            host: dialableHost(new URL(emulator.url).hostname),
            port: emulator.port,
            appId: emulator.appId,
            key: emulator.key,
            secret: emulator.secret,
            roomChannel: config.roomChannel,
          })
          socketDriver = driver
          const populating = driver.populate()
          // Once a signal wins the race, a late failure of the abandoned population is of no interest.
          populating.catch(() => {})
          try {
            await Promise.race([populating, signal.stopped])
          } catch (error) {
            throw new CommandError(`Could not connect the crowd: ${(error as Error).message}`)
          }
          advance = () => driver.advance(CHURN_STEP_MS)
        } else {
          const driver = new InjectedCrowdDriver(crowd, emulator, { roomChannel: config.roomChannel })
          try {
            driver.populate()
          } catch (error) {
            throw new CommandError(`Could not inject the crowd: ${(error as Error).message}`)
          }
          advance = async () => driver.advance(CHURN_STEP_MS)
        }
        if (signal.received) return 0
        if (config.churn > 0 && crowd.present > 0) {
          let busy = false
          timer = setInterval(() => {
            // A slow step (sockets) is never overlapped by the next; the crowd simply moves on later.
            if (busy) return
            busy = true
            step = advance()
              .catch((error: unknown) => io.err(`headcount emulator: churn step failed: ${(error as Error).message}`))
              .finally(() => (busy = false))
          }, CHURN_STEP_MS)
        }
        io.out(readyLine(emulator.url, config))
        await signal.stopped
      } finally {
        clearInterval(timer)
        await step
        await socketDriver?.close()
        await emulator.close()
      }
      return 0
    } finally {
      signal.dispose()
    }
  },
}
