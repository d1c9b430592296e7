import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** `--data`, else `HEADCOUNT_DATA`, else the XDG data folder. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag)
  if (env.HEADCOUNT_DATA) return resolve(env.HEADCOUNT_DATA)
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'headcount')
}
