import { packageVersion } from './package-info.ts'
import { CommandError, UsageError, type Command, type CommandIO } from './usage.ts'

/**
 * Each command's module is loaded only when that command runs (the overview loads them all): a quick
 * `headcount snapshot` then starts without loading the server, the history database and the emulator.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Command>]> = [
  ['desktop', async () => (await import('./commands/desktop.ts')).desktopCommand],
  ['serve', async () => (await import('./commands/serve.ts')).serveCommand],
  ['snapshot', async () => (await import('./commands/snapshot.ts')).snapshotCommand],
  ['export', async () => (await import('./commands/export.ts')).exportCommand],
  ['emulator', async () => (await import('./commands/emulator.ts')).emulatorCommand],
]

async function overview(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map(([, load]) => load()))
  const width = Math.max(...commands.map((command) => command.name.length))
  return [
    'headcount: occupancy console and broadcaster for large groups on Pusher Channels',
    '',
    'Usage: headcount [command] [options]   (no command: the desktop console)',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Options: --help (also after a command), --version',
    'Exit codes: 0 success, 1 failure (reason on stderr), 2 bad usage.',
  ].join('\n')
}

/** A failure is reported in one line (the README promises it): a message's own line breaks become spaces. */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}

/**
 * A reader that leaves early (`headcount snapshot | head`) ends the output, not the command: Node
 * reports the closed pipe as an 'error' event, which unhandled is a crash with a stack trace. Later
 * writes are dropped, and the command finishes (or keeps serving) as it would have.
 */
export function dropOutputOnceReaderLeaves(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

const defaultIO: CommandIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
}

/** Runs one command line and returns the exit code; never calls `process.exit` itself. */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || (first.startsWith('--') && first !== '--help' && first !== '--version')) {
    // No command (or only options): the desktop app, as `npm start` runs it.
    return main(['desktop', ...argv], io)
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(await overview())
    return 0
  }
  if (first === '--version' || first === '-v') {
    io.out(packageVersion())
    return 0
  }
  const load = COMMANDS.find(([name]) => name === first)?.[1]
  if (!load) {
    io.err(`headcount: unknown command "${first}" (see headcount --help)`)
    return 2
  }
  const command = await load()
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}`)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`headcount ${command.name}: ${oneLine(error.message)} (see headcount ${command.name} --help)`)
      return 2
    }
    const message =
      error instanceof CommandError
        ? error.message
        : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`
    io.err(`headcount ${command.name}: ${oneLine(message)}`)
    return 1
  }
}
