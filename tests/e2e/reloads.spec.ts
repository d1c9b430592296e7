import { readFileSync } from 'node:fs'
import { expect, test } from './fixtures.ts'

// The page reloaded (or the browser restarted) in the middle of something the engine carries on with.

test.describe('reloading the page', () => {
  test('during an export: the export is listed again, finished, and downloads', async ({
    page,
    console,
    exporter,
    connected,
  }) => {
    void connected
    await console.open()
    await console.goTo('Export')
    await exporter.form.getByRole('radio', { name: 'Every change' }).click()
    // Delivered by hand after the reload, so the one-click download is off.
    await exporter.form.getByRole('checkbox', { name: 'Download it as soon as it is written' }).uncheck()
    await exporter.form.getByRole('button', { name: 'Export CSV' }).click()
    await page.reload()
    await expect(exporter.jobs).toContainText('Occupancy at every change')
    const link = exporter.jobs.getByRole('link', { name: 'Download CSV' })
    await expect(link).toBeVisible()
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toBe('time,room,count,gap,group:blue,group:red')
    expect(lines.length).toBeGreaterThan(1)
  })

  test("while people come and go: joins per minute are the last minute's at once, not counted from the reload", async ({
    page,
    console,
    overview,
    crowd,
    engine,
    connected,
  }) => {
    void connected
    await console.open()
    crowd.running.injectMany(Array.from({ length: 6 }, (_, i) => ({ channel: `private-lobby-red-late-${i}` })))
    await engine.call('sync.now')
    const joins = overview.figure('Joins per minute').locator('.figure-value')
    await expect(joins).toHaveText(/^[1-9]/, { timeout: 15_000 })
    // A reload asks for the rooms once: the answer brings the joins already seen, so the figure is
    // there at once and stays a true count, not a dash and then 0 until someone else joins.
    await page.reload()
    await expect(overview.figure('People present')).toContainText('78')
    await expect(joins).toHaveText(/^[1-9]/)
  })
})
