import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { findElectronBinary } from '../electron-binary.ts'
import { PACKAGE_ROOT } from '../package-info.ts'
import { CommandError, parseCommandArgs, type Command } from '../usage.ts'
import { SERVE_OPTIONS, serveCommand } from './serve.ts'

/** `headcount` with no command: the desktop app, or web mode where Electron cannot run. */
export const desktopCommand: Command = {
  name: 'desktop',
  summary: 'Open the desktop console (the default; falls back to web mode where Electron is missing)',
  usage: `headcount [desktop] [serve options]

Opens the Electron console. Where Electron's binary is not installed, says so in one line and runs
"headcount serve" with the same options instead.`,
  async run(args, io) {
    // Bad usage is said before anything else (not after a line about falling back to web mode).
    parseCommandArgs(args, SERVE_OPTIONS)
    const binary = findElectronBinary(io.env)
    if (!binary.available) {
      io.out(`Electron is not available here (${binary.reason}); serving the same console in web mode instead.`)
      return serveCommand.run(args, io)
    }
    if (!existsSync(join(PACKAGE_ROOT, 'out', 'main', 'index.js'))) {
      throw new CommandError('The app is not built yet: run `npm run build` (npm start does this for you)')
    }
    const child = spawn(binary.path, [PACKAGE_ROOT, ...args], { stdio: 'inherit', env: io.env })
    return new Promise((resolve, reject) => {
      child.once('error', (error) => reject(new CommandError(`Electron did not start: ${error.message}`)))
      child.once('exit', (code) => resolve(code ?? 1))
    })
  },
}
