// Times (and, run under `node --cpu-prof`, profiles) one first ingest of a body written by
// `bench-ingest.ts --generate`, alone in a fresh process, against JSON.parse of the same bytes measured
// afterwards in the same process; prints one line (wall and thread-CPU times). For finding where a first sync's time goes:
//
//   node [--cpu-prof] scripts/profile-first-ingest.ts --dir DIR [--size 1000000] [--lazy-joins | --counts-only]
//                                                    [--repeat N]
//
// --lazy-joins asks as the engine does (joins read lazily, not listed), --counts-only as `snapshot` does;
// without either, every join is listed as a Member object.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { compileConvention } from '../src/shared/naming.ts'
import { PresenceState } from '../src/core/presence/presence-state.ts'
import type { IngestOptions } from '../src/core/presence/types.ts'

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at >= 0 ? process.argv[at + 1] : undefined
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const dir = option('--dir')
if (dir === undefined) throw new Error('--dir DIR (a folder written by bench-ingest.ts --generate) is required')
const size = Number(option('--size') ?? 1_000_000)
const options: IngestOptions = process.argv.includes('--counts-only')
  ? { listChanges: false }
  : process.argv.includes('--lazy-joins')
    ? { lazyJoins: true }
    : { listChanges: true }
const file = readFileSync(join(dir, `${size}-snapshot.json`))
const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength)

const convention = compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' })
/** Thread CPU time in ms since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const used = process.threadCpuUsage(from)
  return (used.user + used.system) / 1000
}
// --repeat N: N first ingests in turn (each into a fresh state), reporting the fastest; later ones run warm.
const repeat = Number(option('--repeat') ?? 1)
let ingestMs = Infinity
let ingestCpuMs = Infinity
let joins = 0
for (let i = 0; i < repeat; i++) {
  const state = new PresenceState(convention)
  gc()
  const cpuBefore = process.threadCpuUsage()
  const start = performance.now()
  const result = await state.ingestChannelList(bytes, 1_000, options)
  ingestMs = Math.min(ingestMs, performance.now() - start)
  ingestCpuMs = Math.min(ingestCpuMs, cpuSince(cpuBefore))
  if (result.channels !== size) throw new Error(`ingested ${result.channels} channels of ${size}`)
  joins = result.joinCount
}
gc()
let parseMs = Infinity
let parseCpuMs = Infinity
for (let i = 0; i < repeat; i++) {
  gc()
  const parseCpuBefore = process.threadCpuUsage()
  const parseStart = performance.now()
  JSON.parse(new TextDecoder().decode(bytes))
  parseMs = Math.min(parseMs, performance.now() - parseStart)
  parseCpuMs = Math.min(parseCpuMs, cpuSince(parseCpuBefore))
}
console.log(
  JSON.stringify({
    ingestMs: Math.round(ingestMs),
    ingestCpuMs: Math.round(ingestCpuMs),
    parseMs: Math.round(parseMs),
    parseCpuMs: Math.round(parseCpuMs),
    ratio: Number((ingestMs / parseMs).toFixed(2)),
    // In this thread's CPU time: less swayed by other processes on a busy machine.
    cpuRatio: Number((ingestCpuMs / parseCpuMs).toFixed(2)),
    joins,
  }),
)
