import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { CommandError } from './usage.ts'

/** What the web UI is built from: the renderer, the contract it shares, and the build config. */
const UI_SOURCES = ['src/renderer', 'src/shared', 'electron.vite.config.ts']
/** The three electron-vite builds, swapped into out/ together so they never disagree. */
const BUILDS = ['main', 'preload', 'renderer']

export type WebUiState =
  | { state: 'current' }
  | { state: 'missing' }
  | { state: 'stale'; changed: string }
  /** An installed package: no sources to build from, and nothing to compare with. */
  | { state: 'packaged' }

export function rendererIndex(root: string): string {
  return join(root, 'out', 'renderer', 'index.html')
}

function newestFile(path: string): { path: string; mtimeMs: number } | null {
  let stat
  try {
    stat = statSync(path)
  } catch {
    return null
  }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs }
  let newest: { path: string; mtimeMs: number } | null = null
  for (const entry of readdirSync(path)) {
    const candidate = newestFile(join(path, entry))
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate
  }
  return newest
}

/** Whether out/renderer exists and is at least as new as every file it is built from. */
export function webUiState(root: string): WebUiState {
  const hasSources = existsSync(join(root, 'src', 'renderer', 'index.html'))
  let builtAt: number
  try {
    builtAt = statSync(rendererIndex(root)).mtimeMs
  } catch {
    return hasSources ? { state: 'missing' } : { state: 'packaged' }
  }
  if (!hasSources) return { state: 'packaged' }
  for (const source of UI_SOURCES) {
    const newest = newestFile(join(root, source))
    if (newest && newest.mtimeMs > builtAt) return { state: 'stale', changed: relative(root, newest.path) }
  }
  return { state: 'current' }
}

function electronVite(root: string): string | null {
  const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  return existsSync(bin) ? bin : null
}

/**
 * Makes sure `serve` has a real UI to serve: in a checkout whose build is missing or older than its
 * sources, builds it (one notice line on stderr) into a private folder and swaps it into out/, so a
 * concurrent reader never sees a half-written build; where it cannot, fails in one line saying what
 * to run. Never lets a placeholder page be served.
 */
export async function ensureWebUi(root: string, notice: (line: string) => void): Promise<void> {
  const ui = webUiState(root)
  if (ui.state === 'current') return
  if (ui.state === 'packaged') {
    if (existsSync(rendererIndex(root))) return
    throw new CommandError(
      `this installation has no web UI (${rendererIndex(root)} is missing); reinstall the headcount package`,
    )
  }
  const reason =
    ui.state === 'missing' ? 'the web UI is not built yet' : `the web UI is older than its sources (${ui.changed})`
  const builder = electronVite(root)
  if (!builder) throw new CommandError(`${reason}: run \`npm install && npm run build\`, then serve again`)
  notice(`${reason}; building it now (electron-vite build, a few seconds)`)
  mkdirSync(join(root, 'out'), { recursive: true })
  const staging = mkdtempSync(join(root, 'out', '.build-'))
  try {
    await runBuild(process.execPath, [builder, 'build', '--logLevel', 'warn', '--outDir', staging], root)
    for (const build of BUILDS) {
      rmSync(join(root, 'out', build), { recursive: true, force: true })
      renameSync(join(staging, build), join(root, 'out', build))
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

function runBuild(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + String(chunk)).slice(-4000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', (error) => reject(new CommandError(`could not run the web UI build: ${error.message}`)))
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve()
      const lastLine = output.trim().split('\n').at(-1) ?? ''
      reject(
        new CommandError(
          `building the web UI failed (${signal ?? `exit ${code}`}${lastLine ? `: ${lastLine}` : ''}); run \`npm run build\` to see the whole report`,
        ),
      )
    })
  })
}
