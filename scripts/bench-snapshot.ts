// `headcount snapshot` as a whole process against the emulator with a crowd of 1,000,000 (DESIGN §8),
// beside what a user would write instead (scripts/lib/naive-snapshot.mjs: the `pusher` SDK's `get`,
// `JSON.parse`, a Map of Sets per room), each started fresh, in turns, several times: wall time from
// spawn to exit and peak RSS of each, medians, and the ratio of the wall times. Both read the same
// emulator, so the time it takes to answer is in both. Prints figures; no pass/fail.
//
//   node scripts/bench-snapshot.ts [--members 1000000] [--rooms 5000] [--runs 5]
//
// Headcount runs as `node bin/headcount.mjs snapshot`: in a checkout, the TypeScript sources (the
// installed package runs a bundle, which starts faster). Peak RSS comes from /usr/bin/time (the
// kernel's maximum resident set); without it, from VmHWM in /proc, read every few milliseconds.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    rooms: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
  },
})
const members = Number(values.members)
const rooms = Number(values.rooms)
const runs = Number(values.runs)
const ROOT = new URL('..', import.meta.url).pathname
const BIN = join(ROOT, 'bin/headcount.mjs')
const NAIVE = join(ROOT, 'scripts/lib/naive-snapshot.mjs')
const TEMPLATE = 'private-{room}-{group}-{user}'
const TIME = '/usr/bin/time'
const hasTime = existsSync(TIME)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Starts the emulator with the crowd; resolves with its connection URL once it is ready. */
function startEmulator(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
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

interface ProcessFigures {
  wallMs: number
  peakRssMb: number
  stdout: string
}

/** Runs a command to its end: wall time from spawn to exit, peak RSS, what it printed. */
function measure(args: string[], scratch: string): Promise<ProcessFigures> {
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

interface Totals {
  rooms: number
  total: number
}

const emulator = await startEmulator()
const scratch = mkdtempSync(join(tmpdir(), 'headcount-bench-snapshot-'))
const snapshotArgs = [BIN, 'snapshot', '--url', emulator.url, '--pattern', TEMPLATE, '--json']
const naiveArgs = [NAIVE, emulator.url, 'private-']
try {
  console.log(
    `headcount snapshot against the emulator: node ${process.version}, ${members.toLocaleString('en-US')} members in ${rooms} rooms ` +
      `(groups, a private-{room} channel per room), template ${TEMPLATE}; medians of ${runs} runs, taking turns`,
  )
  // One of each first, unmeasured: the emulator's first answer also compiles its code.
  await measure(naiveArgs, scratch)
  await measure(snapshotArgs, scratch)
  const headcount: ProcessFigures[] = []
  const naive: ProcessFigures[] = []
  for (let run = 0; run < runs; run++) {
    // Alternate which goes first, so neither always follows the other's garbage in the emulator.
    if (run % 2 === 0) {
      headcount.push(await measure(snapshotArgs, scratch))
      naive.push(await measure(naiveArgs, scratch))
    } else {
      naive.push(await measure(naiveArgs, scratch))
      headcount.push(await measure(snapshotArgs, scratch))
    }
  }
  const snapshotOut = JSON.parse(headcount[0]?.stdout ?? '') as { rooms: unknown[]; total: number }
  const naiveOut = JSON.parse(naive[0]?.stdout ?? '') as Totals
  if (snapshotOut.total !== naiveOut.total || snapshotOut.rooms.length !== naiveOut.rooms)
    throw new Error(
      `the two disagree: headcount ${snapshotOut.total} in ${snapshotOut.rooms.length} rooms, naive ${naiveOut.total} in ${naiveOut.rooms}`,
    )
  const wall = median(headcount.map((figures) => figures.wallMs))
  const naiveWall = median(naive.map((figures) => figures.wallMs))
  const rss = (list: ProcessFigures[]): string =>
    `${median(list.map((f) => f.peakRssMb)).toFixed(0)} MB (worst ${Math.max(...list.map((f) => f.peakRssMb)).toFixed(0)} MB)`
  const rows: Array<[string, string]> = [
    ['people counted (both)', snapshotOut.total.toLocaleString('en-US')],
    ['naive script: wall time', `${naiveWall.toFixed(0)} ms`],
    ['naive script: peak RSS', rss(naive)],
    ['headcount snapshot: wall time', `${wall.toFixed(0)} ms  (${(wall / naiveWall).toFixed(2)}× naive)`],
    ['headcount snapshot: peak RSS', rss(headcount)],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}   ${value}`)
  console.log(
    `\nWall time: from spawning the process to its exit, start-up and the emulator's answer included. Peak RSS: ${
      hasTime ? 'maximum resident set from /usr/bin/time' : 'VmHWM from /proc, read every 5 ms'
    }.`,
  )
} finally {
  emulator.stop()
  rmSync(scratch, { recursive: true, force: true })
}
