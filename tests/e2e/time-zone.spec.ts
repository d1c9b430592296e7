import { expect, test } from './fixtures.ts'

// This browser's clock is in India (UTC+5:30 all year), so every time the console shows moves by
// 5 h 30 when the operator switches to UTC, and no daylight saving change can make the test flaky.
test.use({ timezoneId: 'Asia/Kolkata' })

const KOLKATA_MS = 5.5 * 3_600_000
// Chromium's time zone data may call it by its older name.
const KOLKATA_LABEL = /^Asia\/(Kolkata|Calcutta) \(UTC\+5:30\)$/

/** "2026-03-04 14:03" of an instant on a clock `offsetMs` ahead of UTC. */
function wallTime(ms: number, offsetMs: number, seconds = false): string {
  const iso = new Date(ms + offsetMs).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`
}

test.describe('time zone', () => {
  test('switching to UTC changes every axis, range, readout and caption, and back', async ({
    page,
    console,
    overview,
    settings,
    connected,
  }) => {
    expect(connected).toBeTruthy()
    await console.open()
    const chart = overview.chart
    const picker = chart.getByRole('group', { name: 'Overview chart range' })
    const zone = picker.getByLabel('Time zone')
    await expect(zone).toHaveText(KOLKATA_LABEL)

    // A custom range typed in the zone shown, with seconds, up to "now".
    const from = Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000
    await picker.getByRole('radio', { name: 'Custom' }).click()
    const custom = picker.getByRole('group', { name: 'Custom range' })
    await expect(custom.getByLabel('To')).toHaveValue('now')
    await expect(custom).toContainText(/in Asia\/(Kolkata|Calcutta) \(UTC\+5:30\)/)
    await custom.getByLabel('From').fill(wallTime(from, KOLKATA_MS, true))
    await custom.getByRole('button', { name: 'Show' }).click()
    const caption = picker.locator('.range-caption')
    await expect(caption).toContainText(`${wallTime(from, KOLKATA_MS, true)} →`)

    // The time axis's labels: the only texts of the drawing that are times of day.
    const ticks = chart.locator('.chart-canvas svg text').filter({ hasText: /^\d\d:\d\d(:\d\d)?$/ })
    await expect(ticks.first()).toBeVisible()
    const localTicks = await ticks.allTextContents()
    const canvas = chart.locator('.chart-canvas')
    const box = await canvas.boundingBox()
    if (!box) throw new Error('the chart has no box')
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const readout = chart.locator('.readout-time')
    await expect(readout).toHaveText(/^\d\d:\d\d:\d\d$/)
    const localReadout = await readout.textContent()

    await console.goTo('Settings')
    await expect(settings.timeZone('This computer')).toBeChecked()
    await settings.timeZone('UTC').check()
    await console.goTo('Overview')

    await expect(zone).toHaveText('UTC')
    await expect(caption).toContainText(`${wallTime(from, 0, true)} →`)
    const utcTicks = await ticks.allTextContents()
    expect(utcTicks).toHaveLength(localTicks.length)
    // Each tick sits where it was, labelled 5 h 30 earlier.
    expect(utcTicks.map((tick) => shiftClock(tick, KOLKATA_MS))).toEqual(localTicks)
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect(readout).toHaveText(/^\d\d:\d\d:\d\d$/)
    expect(shiftClock((await readout.textContent()) ?? '', KOLKATA_MS)).toBe(localReadout)
    await console.screenshot('time-zone-utc')

    // The custom range reads and writes UTC now, and says so.
    await picker.getByRole('radio', { name: 'Custom' }).click()
    await expect(custom).toContainText('in UTC')
    await expect(custom.getByLabel('From')).toHaveValue(wallTime(from, 0, true))
    await custom.getByLabel('From').fill('2026-02-30 10:00')
    await custom.getByRole('button', { name: 'Show' }).click()
    await expect(custom.getByRole('alert')).toHaveText('From: 2026-02-30 10:00 is not a real date and time')
    await custom.getByRole('button', { name: 'Cancel' }).click()

    // Back to this computer's zone: the setting is kept by the engine across a reload.
    await page.reload()
    await expect(zone).toHaveText('UTC')
    await console.goTo('Settings')
    await settings.timeZone('This computer').check()
    await console.goTo('Overview')
    await expect(zone).toHaveText(KOLKATA_LABEL)
  })
})

/** "HH:MM" or "HH:MM:SS" moved forward by `offsetMs` on a 24-hour clock. */
function shiftClock(clock: string, offsetMs: number): string {
  const [hours = 0, minutes = 0, seconds] = clock.split(':').map(Number)
  const total = (((hours * 3600 + minutes * 60 + (seconds ?? 0)) * 1000 + offsetMs) % 86_400_000) / 1000
  const pad = (value: number) => String(Math.floor(value)).padStart(2, '0')
  const shifted = `${pad(total / 3600)}:${pad((total % 3600) / 60)}`
  return seconds === undefined ? shifted : `${shifted}:${pad(total % 60)}`
}
