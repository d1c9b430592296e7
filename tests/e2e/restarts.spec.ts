import type { Locator } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectCrowd, CROWD_PROFILE, expect, test } from './fixtures.ts'
import { roomTotal } from './support/crowd.ts'
import { EngineApi } from './support/engine-api.ts'
import { serveConsole, type ServedConsole } from './support/serve.ts'

// An operator keeps a view open across a restart of `headcount serve`.

/** Where each closed piece of an SVG path reaches on the page, left to right (recharts writes M, L and Z). */
async function horizontalSpans(path: Locator): Promise<[number, number][]> {
  const { d, left } = await path.evaluate((element) => ({
    d: element.getAttribute('d') ?? '',
    left: (element as SVGPathElement).ownerSVGElement?.getBoundingClientRect().left ?? 0,
  }))
  return d
    .split('M')
    .filter(Boolean)
    .map((piece) => {
      const xs = [...piece.matchAll(/(-?[\d.]+),-?[\d.]+/g)].map((match) => Number(match[1]) + left)
      return [Math.min(...xs), Math.max(...xs)]
    })
}

test.describe('restarting the server under an open console', () => {
  let dataDir: string
  let server: ServedConsole | null = null

  test.beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'headcount-e2e-restart-'))
  })
  test.afterEach(async () => {
    await server?.stop()
    server = null
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('the page reconnects by itself, keeps its view, and draws the restart as a gap between true counts', async ({
    page,
    console,
    overview,
    room,
    settings,
    crowd,
  }) => {
    test.setTimeout(90_000)
    server = await serveConsole({ dataDir })
    const { port, url } = server
    const engine = await EngineApi.open(url)
    await connectCrowd(engine, crowd)
    engine.close()

    await page.goto(url)
    await console.goTo('Settings')
    await settings.timeZone('UTC').check()
    await page.goto(`${url}#/overview?pin=cafe&pin=stage`)
    const legend = overview.chart.getByRole('toolbar', { name: 'Series shown' })
    await expect(legend.getByRole('button')).toHaveText([/All rooms/, /cafe/, /stage/])
    await overview.room('stage').click()
    const chart = room.chart
    await chart.getByRole('radio', { name: '5 min' }).click()
    await expect(page).toHaveURL(/#\/rooms\/stage\?range=5m$/)
    await expect(chart.locator('.range-caption')).toHaveText('Last 5 min, live')
    await expect(chart.getByText('UTC', { exact: true })).toBeVisible()
    // A few syncs of a crowd that does not change: one stored reading, held until the restart.
    await expect(console.statusBar).toContainText(`${CROWD_PROFILE}: 72 people`)
    await page.waitForTimeout(3_000)

    await server.stop()
    const lost = console.statusBar.getByText('Lost contact with the Headcount server; retrying…')
    await expect(lost).toBeVisible()
    await expect(console.staleBanner).toContainText('this page reconnects by itself')
    server = await serveConsole({ dataDir, port })

    // Back by itself: no reload, the same view and address, the counts true again.
    await expect(lost).toBeHidden({ timeout: 20_000 })
    await expect(console.staleBanner).toBeHidden({ timeout: 20_000 })
    await expect(page).toHaveURL(/#\/rooms\/stage\?range=5m$/)
    await expect(room.heading).toHaveText('Room stage')
    await expect(room.people).toContainText(String(roomTotal('stage')))
    await expect(chart.getByText('UTC', { exact: true })).toBeVisible()
    // The restart is a gap with its cause, and the reading before it is drawn up to it, not dropped.
    const gap = chart.locator('.chart-span[data-kind="gap"]')
    await expect(gap).toHaveCount(1, { timeout: 15_000 })
    await expect(gap).toHaveAttribute('aria-label', /Headcount stopped/)
    const gapStart = (await gap.boundingBox())?.x ?? 0
    const areas = chart.locator('.recharts-area-area')
    await expect(areas).toHaveCount(2)
    for (const area of await areas.all()) {
      // Each group's area is drawn up to the gap, with a width: not the bare edge recharts draws for
      // one reading followed by a gap.
      const spans = await horizontalSpans(area)
      expect(spans.some(([left, right]) => right - left > 5 && Math.abs(right - gapStart) < 3)).toBe(true)
    }
    // The overview still has the rooms pinned before the restart.
    await console.goTo('Overview')
    await expect(legend.getByRole('button')).toHaveText([/All rooms/, /cafe/, /stage/])
    await expect(page).toHaveURL(/pin=cafe&pin=stage/)
  })
})
