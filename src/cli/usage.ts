import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Bad usage: exit code 2 with the message and a pointer to `--help`. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A failure the operator can act on: exit code 1 with this one line. */
export class CommandError extends Error {
  override name = 'CommandError'
}

export interface CommandIO {
  out: (line: string) => void
  err: (line: string) => void
  env: NodeJS.ProcessEnv
}

export interface Command {
  name: string
  summary: string
  usage: string
  run(args: string[], io: CommandIO): Promise<number>
}

type Options = NonNullable<ParseArgsConfig['options']>

/** `parseArgs` with errors turned into `UsageError`s the dispatcher prints with exit code 2. */
export function parseCommandArgs<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false })
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }))
  }
}

/** Node's words for bad arguments, except where they puzzle: a value that starts with '-'. */
function usageMessage(error: Error & { code?: string }): string {
  const ambiguous = /^Option '(--[\w-]+)'.* argument is ambiguous/.exec(error.message)
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && ambiguous !== null) {
    const flag = ambiguous[1] as string
    return `${flag} needs a value (write one that starts with '-' as ${flag}=-1)`
  }
  return error.message
}

export function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`${flag} must be a port number (0-65535), got "${value}"`)
  return port
}
