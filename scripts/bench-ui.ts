// The console's cost in Chromium, for 1,000 and 10,000 rooms with an hour of history and 20 rooms
// pinned to the overview chart (21 series with the total): per live update, from a tick reaching the
// store to the frame that shows it painted (chart, figures and rooms table); and per history refetch,
// from the engine's answer to the frame that shows the redrawn chart. The engine is replaced by a
// scripted bridge in the page, so only the UI is measured. Prints figures; the target is under 16 ms
// (one frame at 60 Hz). Run: npm run bench:ui (it builds the renderer first).
import { chromium } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { extname, join, normalize } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const RENDERER = join(ROOT, 'out', 'renderer')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SIZES = [1_000, 10_000]
/** Rooms pinned to the overview chart, through the URL as a shared link would. */
const PINNED = 20
const REFETCHES = 30
const WARMUP = 15
const UPDATES = 120
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

interface Result {
  rooms: number
  samples: number[]
  /** The tick into the store: the live rooms patched and every subscribed selector run (no render). */
  storeSamples: number[]
  refetches: number[]
  refetchLatencies: number[]
  chartPoints: number
  plotWidth: number
  tableRows: number
  series: number
}

/** Runs in the page before the app: a fake `window.headcount` bridge with a scripted engine. */
function installFakeEngine(roomCount: number): void {
  const HOUR = 3_600_000
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let seed = 42
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
  const now0 = Date.now()
  const rooms = new Map<string, { room: string; count: number; groups: Record<string, number> }>()
  for (let i = 0; i < roomCount; i++) {
    const count = Math.max(1, Math.round(5_000 / (i + 1) ** 0.9))
    const red = Math.round(count * 0.55)
    rooms.set(`room-${String(i).padStart(5, '0')}`, {
      room: `room-${String(i).padStart(5, '0')}`,
      count,
      groups: { red, blue: count - red },
    })
  }
  let total = [...rooms.values()].reduce((sum, room) => sum + room.count, 0)
  let at = now0
  /** The number of the last tick sent: the snapshot says it holds that one. */
  let seq = 1
  const stats = { maxPointsAsked: 0, seriesAsked: 0 }
  /** When the last history answer left the engine: a refetch is timed from there. */
  let answeredAt = 0
  const series = (name: string, base: number, from: number, to: number, points: number) => {
    stats.maxPointsAsked = Math.max(stats.maxPointsAsked, points)
    const out: { t: number; value: number }[] = []
    for (let i = 0; i < points; i++)
      out.push({
        t: Math.round(from + ((to - from) * i) / (points - 1)),
        value: Math.max(0, Math.round(base * (0.8 + 0.4 * random()))),
      })
    return { room: name, points: out }
  }
  const status = {
    connection: 'connected',
    profile: 'Bench',
    profileId: 'bench',
    message: 'Synced',
    at: new Date(now0).toISOString(),
    demo: false,
    sync: {
      mode: 'poll',
      state: 'ok',
      lastSuccessAt: now0,
      lastAttemptAt: now0,
      nextAttemptAt: null,
      latencyMs: 5,
      responseBytes: 1,
      channels: total,
      unmatched: 0,
      participants: total,
      rooms: roomCount,
      error: null,
      webhook: null,
      drift: null,
    },
  }
  const answers: Record<string, (input: Record<string, unknown>) => unknown> = {
    'app.info': () => ({
      name: 'Headcount',
      version: 'bench',
      runtime: 'electron',
      nodeVersion: '24',
      electronVersion: null,
      platform: 'bench',
      dataDir: '/tmp',
      secretStorage: { backend: 'bench', encrypted: true, warning: null },
    }),
    'status.get': () => status,
    'engine.get': () => ({ shell: 'desktop', shown: { kind: 'local' }, saved: null }),
    'settings.get': () => ({
      version: 1,
      theme: 'light',
      rawRetentionDays: 7,
      rollupRetentionDays: 90,
      profiles: [],
      activeProfileId: 'bench',
    }),
    'profiles.list': () => [],
    'export.list': () => [],
    'rooms.list': () => ({
      at,
      stream: 'bench',
      seq,
      total,
      channels: total,
      unmatched: 0,
      rooms: [...rooms.values()],
    }),
    'history.series': (input) => {
      const names = input.rooms as string[]
      stats.seriesAsked = Math.max(stats.seriesAsked, names.length)
      const out = names.map((name) =>
        series(name, rooms.get(name)?.count ?? 0, input.from as number, input.to as number, input.points as number),
      )
      if (input.includeTotal)
        out.unshift(series('*total*', total, input.from as number, input.to as number, input.points as number))
      return out
    },
  }
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload)
  }
  /** One sync's worth of change: a twentieth of the rooms move, with their joins and leaves. */
  const nextTick = () => {
    at += 1000
    const changed = []
    let joins = 0
    let leaves = 0
    const names = [...rooms.keys()]
    for (let i = 0; i < Math.max(5, roomCount / 20); i++) {
      const room = rooms.get(names[Math.floor(random() * names.length)] as string)
      if (!room) continue
      const delta = Math.round((random() - 0.5) * 6)
      const count = Math.max(1, room.count + delta)
      if (count > room.count) joins += count - room.count
      else leaves += room.count - count
      total += count - room.count
      const red = Math.round(count * 0.55)
      const next = { room: room.room, count, groups: { red, blue: count - red } }
      rooms.set(room.room, next)
      changed.push(next)
    }
    const recent = changed.slice(0, 20).map((room, index) => ({
      type: index % 2 ? 'leave' : 'join',
      room: room.room,
      user: `u${at}-${index}`,
      group: 'red',
      at,
    }))
    return {
      at,
      stream: 'bench',
      seq: ++seq,
      source: 'poll',
      total,
      roomCount,
      channels: total,
      unmatched: 0,
      joins,
      leaves,
      drift: 0,
      changed,
      removed: [],
      recent,
    }
  }
  Object.assign(window, {
    headcount: {
      invoke: async (method: string, input: Record<string, unknown>) => {
        const answer = answers[method]
        const value = answer ? answer(input ?? {}) : null
        if (method === 'history.series') answeredAt = performance.now()
        return { ok: true, value }
      },
      subscribe: (event: string, listener: (payload: unknown) => void) => {
        if (!listeners.has(event)) listeners.set(event, new Set())
        listeners.get(event)?.add(listener)
        return () => listeners.get(event)?.delete(listener)
      },
    },
    __bench: {
      stats,
      /** One update, timed from the store's input to the end of the frame that paints it. */
      measure: () =>
        new Promise<{ update: number; store: number }>((resolve) => {
          requestAnimationFrame(() => {
            const tick = nextTick()
            const start = performance.now()
            emit('tick', tick)
            // The store's listeners (the selectors) run as it changes; React renders after, in a microtask.
            const store = performance.now() - start
            // A task queued now runs after this frame's render steps (style, layout, paint).
            setTimeout(() => resolve({ update: performance.now() - start, store }), 0)
          })
        }),
      settle: () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      /**
       * One refetch: choose another range, and time from the engine's answer to the end of the frame
       * that paints the chart's lines drawn again (the canvas is resized, hence its attributes change).
       */
      refetch: (label: string) =>
        new Promise<{ work: number; latency: number }>((resolve, reject) => {
          const canvas = document.querySelector('.chart-lines')
          const radio = [
            ...document.querySelectorAll<HTMLButtonElement>('[aria-label="Time range"] [role="radio"]'),
          ].find((button) => button.textContent === label)
          if (!canvas || !radio) return reject(new Error('no chart or range picker'))
          const before = answeredAt
          const observer = new MutationObserver(() => {
            if (answeredAt === before) return
            observer.disconnect()
            const start = answeredAt
            const drawn = performance.now()
            // The work is the render (to the canvas drawn) and the frame's style, layout and paint;
            // the wait for that frame to begin is not work, so it is left out of `work`.
            requestAnimationFrame(() => {
              const frame = performance.now()
              setTimeout(() => {
                const end = performance.now()
                resolve({ work: drawn - start + (end - frame), latency: end - start })
              }, 0)
            })
          })
          observer.observe(canvas, { attributes: true })
          radio.click()
        }),
    },
  })
  void HOUR
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN
}

async function main(): Promise<void> {
  if (process.env.BENCH_UI_NO_BUILD !== '1' || !existsSync(join(RENDERER, 'index.html'))) {
    console.log('Building the renderer…')
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'inherit' },
    )
  }
  const loadBefore = loadavg()[0] ?? NaN
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
  const results: Result[] = []
  try {
    for (const roomCount of SIZES) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      await page.route('http://bench.local/**', (route) => {
        const path = normalize(new URL(route.request().url()).pathname).replace(/^\/+/, '') || 'index.html'
        const file = join(RENDERER, path)
        if (!file.startsWith(RENDERER) || !existsSync(file)) return route.fulfill({ status: 404 })
        return route.fulfill({
          status: 200,
          contentType: TYPES[extname(file)] ?? 'application/octet-stream',
          body: readFileSync(file),
        })
      })
      page.on('pageerror', (error) => console.error('page error:', error.message))
      page.on('console', (message) => message.type() === 'error' && console.error('page console:', message.text()))
      await page.addInitScript(installFakeEngine, roomCount)
      // Twenty rooms pinned, spread over the ranking (busy and quiet), as a shared link would say.
      const pins = Array.from(
        { length: PINNED },
        (_, i) => `pin=room-${String(Math.floor((i * roomCount) / PINNED)).padStart(5, '0')}`,
      )
      await page.goto(`http://bench.local/index.html#/overview?range=1h&${pins.join('&')}`)
      await page.getByRole('table', { name: 'Rooms by occupancy' }).waitFor()
      await page.locator('.chart-lines').waitFor()
      await page.getByText(`${PINNED} chosen rooms`).waitFor()
      const measure = () =>
        page.evaluate(() =>
          (
            window as unknown as { __bench: { measure(): Promise<{ update: number; store: number }> } }
          ).__bench.measure(),
        )
      const settle = () =>
        page.evaluate(() => (window as unknown as { __bench: { settle(): Promise<void> } }).__bench.settle())
      for (let i = 0; i < WARMUP; i++) {
        await measure()
        await settle()
      }
      const samples: number[] = []
      const storeSamples: number[] = []
      for (let i = 0; i < UPDATES; i++) {
        const { update, store } = await measure()
        samples.push(update)
        storeSamples.push(store)
        await settle()
      }
      const refetches: number[] = []
      const refetchLatencies: number[] = []
      for (let i = 0; i < REFETCHES; i++) {
        const label = i % 2 === 0 ? '24 h' : '1 h'
        const { work, latency } = await page.evaluate(
          (range) =>
            (
              window as unknown as { __bench: { refetch(range: string): Promise<{ work: number; latency: number }> } }
            ).__bench.refetch(range),
          label,
        )
        refetches.push(work)
        refetchLatencies.push(latency)
        await settle()
      }
      const facts = await page.evaluate(() => {
        const plot = document.querySelector('.chart-interaction') as HTMLElement | null
        return {
          chartPoints: (window as unknown as { __bench: { stats: { maxPointsAsked: number } } }).__bench.stats
            .maxPointsAsked,
          series: (window as unknown as { __bench: { stats: { seriesAsked: number } } }).__bench.stats.seriesAsked,
          plotWidth: plot ? Math.round(plot.getBoundingClientRect().width) : 0,
          tableRows: document.querySelectorAll('.rooms-scroll .rooms-row').length,
        }
      })
      results.push({ rooms: roomCount, samples, storeSamples, refetches, refetchLatencies, ...facts })
      await page.close()
    }
  } finally {
    await browser.close()
  }

  const storeRow = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b)
    return `${percentile(sorted, 0.5).toFixed(2).padStart(9)} | ${percentile(sorted, 0.95).toFixed(2).padStart(4)}`
  }
  const row = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b)
    return [percentile(sorted, 0.5), percentile(sorted, 0.95), sorted.at(-1) ?? NaN]
      .map((ms) => ms.toFixed(1).padStart(6))
      .join(' | ')
  }
  console.log(`Headcount UI in Chromium (${CHROMIUM}), ${PINNED} rooms pinned to the overview chart`)
  console.log(
    `Live update: tick to painted frame (${UPDATES} updates after ${WARMUP} warm-up). Refetch: the chart redrawn after a history answer (${REFETCHES}, 1 h and 24 h in turn): its work (render, canvas, style, layout, paint) and its latency (that plus the wait for the next frame).`,
  )
  console.log(
    'rooms | update p50 |    p95 |    max | refetch work p50 |    p95 |    max | latency p50 | rooms charted | points / plot px | table rows | store p50 |  p95',
  )
  for (const result of results) {
    const latencies = [...result.refetchLatencies].sort((a, b) => a - b)
    console.log(
      `${String(result.rooms).padStart(5)} | ${row(result.samples).replace(/^ /, '     ')} | ${row(result.refetches).replace(/^ /, '           ')} | ${percentile(latencies, 0.5).toFixed(1).padStart(11)} | ${String(result.series).padStart(13)} | ${`${result.chartPoints} / ${result.plotWidth}`.padStart(16)} | ${String(result.tableRows).padStart(10)} | ${storeRow(result.storeSamples)}`,
    )
  }
  console.log(
    'Target: under 16 ms (one frame at 60 Hz) for both. Each update changes 5% of the rooms (at least 5), with 20 joins/leaves. Store: the tick into the store with its selectors, before React renders.',
  )
  // Other work on the machine stretches every figure: say how busy it was.
  console.log(`Load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${(loadavg()[0] ?? NaN).toFixed(2)}`)
}

await main()
