import { join } from 'node:path'
import { Engine } from '../../core/engine.ts'
import { startDemoCrowd } from '../../emulator/demo.ts'
import type { BroadcastSettingsPatch } from '../../shared/broadcast.ts'
import type { Credentials } from '../../shared/connection.ts'
import { type MessageBudget, parseBudget, PLAN_IDS } from '../../shared/pusher-plans.ts'
import { consoleLogger } from '../../core/logger.ts'
import { FileSecretStore } from '../../core/secret-store.ts'
import { FileSettingsStore } from '../../core/settings-store.ts'
import { holdYoungGeneration } from '../../core/young-generation.ts'
import { generateToken, isLoopbackAddress } from '../../server/access.ts'
import { loadServerTls, TlsSetupError, validityWarning, type ServerTls } from '../../server/tls.ts'
import { startWebServer } from '../../server/web-server.ts'
import { resolveDataDir } from '../data-dir.ts'
import { PACKAGE_ROOT, packageVersion } from '../package-info.ts'
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFromFlags } from '../connection-flags.ts'
import { CommandError, parseCommandArgs, parsePort, UsageError, type Command } from '../usage.ts'
import { ensureWebUi } from '../web-ui-build.ts'

export const DEFAULT_HTTP_PORT = 7480
/** The profile a connection given on the command line is kept as. */
export const COMMAND_LINE_PROFILE = 'Command line'

/** The options `serve` takes (and `desktop`, which falls back to it). */
export const SERVE_OPTIONS = {
  ...CONNECTION_OPTIONS,
  data: { type: 'string' },
  listen: { type: 'string', default: '127.0.0.1' },
  'http-port': { type: 'string' },
  token: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  broadcast: { type: 'boolean', default: false },
  budget: { type: 'string' },
} as const

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the engine and serve the console UI in a browser (web mode)',
  usage: `headcount serve [connection] [--data DIR] [--listen ADDR] [--http-port N] [--token TOKEN]
                [--tls-cert FILE --tls-key FILE] [--broadcast] [--budget MESSAGES_PER_DAY|PLAN]

${CONNECTION_USAGE}
  With a connection, it is saved as the profile "Command line" and watched at once; without one,
  the last connection used is resumed (or none, until one is chosen in the UI).

  --data DIR       where settings, secrets and history are kept
                   (default: $HEADCOUNT_DATA, else $XDG_DATA_HOME/headcount)
  --listen ADDR    address to bind (default 127.0.0.1); any other address requires a token
  --http-port N    port for the UI and its API (default ${DEFAULT_HTTP_PORT}; 0 picks a free one)
  --token TOKEN    access token (default: $HEADCOUNT_TOKEN; generated when binding beyond loopback)
  --tls-cert FILE  serve over HTTPS (the UI, its API socket as wss, and downloads) with this PEM
  --tls-key FILE   certificate and its unencrypted PEM private key; give both or neither. The
                   certificate's SHA-256 fingerprint is printed, for desktop consoles to pin.
                   (--tls above is the connection's to Pusher, not this.)
  --broadcast      switch the broadcaster on for the connection (remembered with it; see
                   docs/broadcasting.md). Needs a connection, given or resumed.
  --budget B       the broadcaster's daily message budget (remembered with the connection): a
                   number of messages a day (90000000, 90M, 200k) or a Pusher plan's
                   (${PLAN_IDS.join(', ')}); none removes it. Within it, large rooms are
                   rounded and nothing is sent that would spend past it in Pusher's day (UTC).

A team runs one serve with --listen 0.0.0.0, --tls-cert, --tls-key and a token; every operator's
desktop console opens it from its Connections page (Engine: a shared server), with that URL and token.

In a checkout, a web UI build that is missing or older than its sources is rebuilt first (one notice
on stderr). Prints "Headcount web UI: URL" once ready (https:// with TLS, then a line
"TLS certificate SHA-256 fingerprint: AB:CD:…"); stops on SIGINT or SIGTERM.`,
  async run(args, io) {
    // bin/headcount.mjs stopped the young generation's growth already; this lets the monitor release it.
    holdYoungGeneration()
    const { values } = parseCommandArgs(args, SERVE_OPTIONS)
    const host = values.listen
    const port = parsePort(values['http-port'], '--http-port', DEFAULT_HTTP_PORT)
    const token = values.token ?? io.env.HEADCOUNT_TOKEN ?? (isLoopbackAddress(host) ? null : generateToken())
    const dataDir = resolveDataDir(values.data, io.env)
    const credentials = connectionFromFlags(values, io.env)
    const budget = values.budget === undefined ? undefined : budgetFlag(values.budget)
    const tls = serverTls(values['tls-cert'], values['tls-key'])
    const tlsWarning = tls && validityWarning(tls, new Date())
    if (tlsWarning) io.err(`headcount serve: ${tlsWarning}`)
    // Before anything starts: a checkout builds a missing or outdated UI; nothing serves a placeholder.
    await ensureWebUi(PACKAGE_ROOT, (line) => io.err(`headcount serve: ${line}`))

    let engine: Engine
    try {
      engine = new Engine({
        version: packageVersion(),
        runtime: 'web',
        dataDir,
        settings: new FileSettingsStore(join(dataDir, 'settings.json'), consoleLogger),
        secrets: new FileSecretStore(join(dataDir, 'secrets.json'), consoleLogger),
        demo: { start: () => startDemoCrowd() },
        logger: consoleLogger,
      })
    } catch (error) {
      throw new CommandError(`The data folder ${dataDir} cannot be used: ${(error as Error).message}`)
    }
    let server
    try {
      server = await startWebServer({
        handlers: engine.handlers,
        events: engine.events,
        staticDir: join(PACKAGE_ROOT, 'out', 'renderer'),
        host,
        port,
        token,
        tls,
        logger: consoleLogger,
        exportFile: (id) => engine.exportFile(id),
      })
    } catch (error) {
      await engine.close()
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE')
        throw new CommandError(`Port ${port} on ${host} is already in use; pick another with --http-port`)
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        throw new CommandError(`Cannot bind ${host}: no such address on this machine`)
      if (code === 'EACCES')
        throw new CommandError(`Port ${port} on ${host} needs privileges; pick another with --http-port`)
      throw new CommandError((error as Error).message)
    }
    // Listen for the stop signals before announcing readiness, so a caller that stops us as soon as
    // it reads the line never hits the default (abrupt) signal handling.
    let stop = () => {}
    const stopped = new Promise<void>((resolve) => {
      stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    try {
      await startWatching(engine, credentials, { broadcast: values.broadcast, budget })
    } catch (error) {
      // A start that fails halfway leaves nothing listening: the process must end with its one line.
      stop()
      await server.close()
      await engine.close()
      if (error instanceof CommandError) throw error
      throw new CommandError((error as Error).message)
    }
    io.out(`Headcount web UI: ${server.url}`)
    if (tls) io.out(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint}`)
    await stopped
    await server.close()
    await engine.close()
    return 0
  },
}

/** The certificate and key to serve with, checked before anything starts; null without either flag. */
function serverTls(certFile: string | undefined, keyFile: string | undefined): ServerTls | null {
  if (certFile === undefined && keyFile === undefined) return null
  if (certFile === undefined) throw new UsageError('--tls-key needs --tls-cert: give the certificate with its key')
  if (keyFile === undefined) throw new UsageError('--tls-cert needs --tls-key: give the key with its certificate')
  try {
    return loadServerTls(certFile, keyFile)
  } catch (error) {
    if (error instanceof TlsSetupError) throw new CommandError(error.message)
    throw error
  }
}

/** `--budget`'s value: a number of messages a day, a plan, or none. */
export function budgetFlag(text: string): MessageBudget | null {
  if (/^(none|off)$/i.test(text.trim())) return null
  const parsed = parseBudget(text)
  if (!parsed.ok) throw new UsageError(`--budget: ${parsed.error}`)
  return parsed.budget
}

/** Watches the connection given (saved as "Command line") or the last one used, and broadcasts if asked. */
async function startWatching(
  engine: Engine,
  credentials: Credentials | null,
  { broadcast, budget }: { broadcast: boolean; budget: MessageBudget | null | undefined },
): Promise<void> {
  if (credentials) {
    const { secret, ...connection } = credentials
    const existing = engine.profiles.all().find((profile) => profile.name === COMMAND_LINE_PROFILE)
    const profile = await engine.profiles.save({ id: existing?.id, name: COMMAND_LINE_PROFILE, connection, secret })
    await engine.handlers['connection.connect']({ id: profile.id })
  } else {
    await engine.resume()
  }
  if (broadcast || budget !== undefined) {
    const status = await engine.handlers['status.get'](undefined)
    if (status.profileId === null) {
      throw new CommandError(
        `${broadcast ? '--broadcast' : '--budget'} needs a connection: give one (--url, --app-id …) or connect once in the UI so it can be resumed`,
      )
    }
    const settings: BroadcastSettingsPatch = {}
    if (budget !== undefined) settings.budget = budget
    if (broadcast) settings.enabled = true
    await engine.handlers['broadcast.set']({ id: status.profileId, settings })
  }
}
