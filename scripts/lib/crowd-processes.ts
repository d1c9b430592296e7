// Processes the whole-process benchmarks run: the emulator with a crowd (spawned through
// bin/headcount.mjs), and a command run to its end with its wall time and peak RSS. Shared by
// bench-snapshot and bench-pipeline.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const ROOT = new URL('../..', import.meta.url).pathname
export const BIN = join(ROOT, 'bin/headcount.mjs')
export const NAIVE = join(ROOT, 'scripts/lib/naive-snapshot.mjs')
const TIME = '/usr/bin/time'
export const hasTime = existsSync(TIME)
const NICE = '/usr/bin/nice'
/** How much lower bench:pipeline runs the emulator than the engine it measures (see startEmulator). */
export const EMULATOR_NICENESS = 10

/**
 * Starts the emulator with a crowd; resolves with its connection URL once it is ready. `niceness` lowers
 * its priority (all its threads: it is started through nice) where a benchmark measures the engine's
 * event-loop blocks: the emulator stands in for Pusher's servers, which do not share the engine's cores,
 * and on a 2-core machine its streaming of a 33 MB body at normal priority took the engine's main thread
 * off a core for up to 50 ms at a time (wall-time blocks of 55-72 ms with 13-20 ms of the thread's own CPU).
 */
export function startEmulator(
  members: number,
  rooms: number,
  niceness = 0,
): Promise<{ url: string; stop: () => void }> {
  const niced = niceness !== 0 && existsSync(NICE)
  const child = spawn(
    niced ? NICE : process.execPath,
    [
      ...(niced ? ['-n', String(niceness), process.execPath] : []),
      BIN,
      'emulator',
      '--port',
      '0',
      '--crowd',
      String(members),
      '--rooms',
      String(rooms),
      '--groups',
      'players,red,blue',
      '--room-channel',
      'private-{room}',
      '--seed',
      '7',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => {
      output += text
      const url = /ready: (\S+)/.exec(output)?.[1]
      if (url !== undefined) resolve({ url, stop: () => child.kill('SIGTERM') })
    })
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)))
  })
}

export interface ProcessFigures {
  wallMs: number
  peakRssMb: number
  stdout: string
}

/** Runs node with `args` to its end: wall time from spawn to exit, peak RSS, what it printed. */
export function measureProcess(args: string[], scratch: string): Promise<ProcessFigures> {
  const timeFile = join(scratch, 'time.txt')
  const command = hasTime ? TIME : process.execPath
  const commandArgs = hasTime ? ['-f', '%M', '-o', timeFile, process.execPath, ...args] : args
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (text: string) => (stdout += text))
    let peakKb = 0
    // Without /usr/bin/time: the high-water mark of the process itself, read until it exits.
    const poll = hasTime
      ? null
      : setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
            peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
          } catch {
            // Exited between two reads.
          }
        }, 5)
    child.once('exit', (code) => {
      const wallMs = performance.now() - started
      if (poll !== null) clearInterval(poll)
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}`))
      if (hasTime) peakKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop())
      resolve({ wallMs, peakRssMb: peakKb / 1024, stdout })
    })
  })
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}
