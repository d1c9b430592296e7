// The whole sync pipeline as DESIGN §8 measures it: from the bytes of a `GET /channels` response to
// updated room counts, joins/leaves and stored history (PresenceState + HistoryStore on disk), for
// 10,000 / 100,000 / 1,000,000 channels, as ratios to JSON.parse of the same bytes in the same process.
// Each size runs in a fresh child process so its memory figures are its own. Prints figures; no pass/fail.
//
//   node scripts/bench-pipeline.ts [--sizes 10000,100000,1000000]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { HistoryStore } from '../src/core/history/history-store.ts'
import { PresenceState } from '../src/core/presence/presence-state.ts'
import { compileConvention } from '../src/shared/naming.ts'

const GROUPS = ['players', 'players', 'players', 'red', 'blue', 'staff']

/** `size` channels over size/1000 rooms with a skewed spread; `shift` replaces that many users with new ones. */
function body(size: number, shift: number): Uint8Array {
  const rooms = Math.max(10, Math.round(size / 1000))
  const parts: string[] = []
  for (let i = shift; i < size + shift; i++) {
    const skewed = Math.floor(rooms * Math.pow(((i * 2654435761) >>> 0) / 4294967296, 2.5))
    parts.push(`"private-room${skewed}-${GROUPS[i % GROUPS.length]}-u${i}":{}`)
  }
  return new TextEncoder().encode(`{"channels":{${parts.join(',')}}}`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function measure(size: number): Promise<Record<string, number>> {
  const first = body(size, 0)
  const churned = body(size, Math.round(size / 100))
  const decoder = new TextDecoder()
  const parseRuns: number[] = []
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    JSON.parse(decoder.decode(first))
    parseRuns.push(performance.now() - started)
  }
  const jsonParse = median(parseRuns)

  const dir = mkdtempSync(join(tmpdir(), 'headcount-bench-pipeline-'))
  const history = HistoryStore.open(join(dir, 'history.sqlite'))
  const presence = new PresenceState(compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' }))
  const baseRss = process.memoryUsage().rss
  let peakRss = baseRss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5)
  const delay = monitorEventLoopDelay({ resolution: 5 })

  async function pipeline(bytes: Uint8Array, at: number): Promise<number> {
    const started = performance.now()
    const result = await presence.ingestChannelList(bytes, at)
    await history.recordTick({ ...result })
    await history.flush()
    return performance.now() - started
  }

  delay.enable()
  const firstMs = await pipeline(first, Date.now())
  delay.disable()
  const firstBlock = delay.max / 1e6
  delay.reset()
  delay.enable()
  const steadyMs = await pipeline(first, Date.now() + 5000)
  const churnMs = await pipeline(churned, Date.now() + 10_000)
  delay.disable()
  const steadyBlock = delay.max / 1e6
  clearInterval(sampler)
  await history.close()
  rmSync(dir, { recursive: true, force: true })
  return {
    size,
    bytes: first.byteLength,
    jsonParse,
    firstMs,
    steadyMs,
    churnMs,
    firstBlock,
    steadyBlock,
    peakRss: peakRss - baseRss,
    baseRss,
  }
}

const { values } = parseArgs({ options: { sizes: { type: 'string' }, child: { type: 'string' } } })
if (values.child) {
  process.stdout.write(JSON.stringify(await measure(Number(values.child))))
} else {
  const sizes = (values.sizes ?? '10000,100000,1000000').split(',').map(Number)
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`
  const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`
  console.log(
    'From response bytes to room counts, joins/leaves and history on disk (ratios to JSON.parse of the same bytes):\n',
  )
  const header = [
    'channels',
    'body',
    'JSON.parse',
    'first sync (all join)',
    'steady (same)',
    '1% churn',
    'longest block first / later',
    'peak RSS increase',
  ]
  const rows: string[][] = []
  for (const size of sizes) {
    const child = spawnSync(process.execPath, [import.meta.filename, '--child', String(size)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    })
    if (child.status !== 0) {
      console.error(child.stderr)
      process.exit(1)
    }
    const r = JSON.parse(child.stdout) as Record<string, number>
    const base = r.jsonParse as number
    rows.push([
      (r.size as number).toLocaleString('en-US'),
      mb(r.bytes as number),
      ms(base),
      `${ms(r.firstMs as number)} (${ratio(r.firstMs as number, base)})`,
      `${ms(r.steadyMs as number)} (${ratio(r.steadyMs as number, base)})`,
      `${ms(r.churnMs as number)} (${ratio(r.churnMs as number, base)})`,
      `${ms(r.firstBlock as number)} / ${ms(r.steadyBlock as number)}`,
      mb(r.peakRss as number),
    ])
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  )
  for (const row of [header, ...rows])
    console.log(row.map((cell, column) => cell.padStart(widths[column] as number)).join('  '))
}
