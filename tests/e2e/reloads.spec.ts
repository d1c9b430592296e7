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
})
