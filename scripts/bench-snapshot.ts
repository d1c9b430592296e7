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
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  BIN,
  hasTime,
  measureProcess as measure,
  median,
  NAIVE,
  startEmulator,
  type ProcessFigures,
} from './lib/crowd-processes.ts'

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
const TEMPLATE = 'private-{room}-{group}-{user}'

interface Totals {
  rooms: number
  total: number
}

const emulator = await startEmulator(members, rooms)
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
