import { readFileSync } from 'node:fs'
import type { Download, Page } from '@playwright/test'
import { expect, test } from './fixtures.ts'
import { CROWD, roomTotal } from './support/crowd.ts'

const TOTAL = Object.keys(CROWD).reduce((sum, room) => sum + roomTotal(room), 0)
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

async function downloaded(download: Download): Promise<Buffer> {
  return readFileSync(await download.path())
}

/** A PNG's size in pixels, from its header (IHDR), after checking its signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/** How many pixels of a PNG are (nearly) a colour such as "#3b5bdb", decoded by the page's browser. */
async function pixelsOfColour(page: Page, png: Buffer, colour: string): Promise<number> {
  return page.evaluate(
    async ({ base64, colour }) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
      const context = canvas.getContext('2d')
      if (!context) throw new Error('no 2D canvas')
      context.drawImage(bitmap, 0, 0)
      const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data
      const want = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16))
      let count = 0
      for (let i = 0; i < data.length; i += 4)
        if (want.every((value, channel) => Math.abs((data[i + channel] ?? 0) - value) <= 24)) count++
      return count
    },
    { base64: png.toString('base64'), colour },
  )
}

function csvLines(bytes: Buffer): string[][] {
  return bytes
    .toString('utf8')
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','))
}

test.describe('export what you see', () => {
  test('the overview and room charts save as PNG and as the CSV of what they draw', async ({
    page,
    console,
    overview,
    room,
    connected: _connected,
  }, testInfo) => {
    await console.open()
    const chart = overview.chart
    await expect(chart.locator('.chart-canvas svg').first()).toBeVisible()

    const [png] = await Promise.all([
      page.waitForEvent('download'),
      chart.getByRole('button', { name: 'Save the chart as PNG' }).click(),
    ])
    expect(png.suggestedFilename()).toMatch(/^headcount-overview-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.png$/)
    const canvasBox = await chart.locator('.chart-canvas').boundingBox()
    const size = pngSize(await downloaded(png))
    // Drawn at twice the size on screen, with the title, range and legend above the chart.
    expect(size.width).toBe(2 * Math.round(canvasBox?.width ?? 0))
    expect(size.height).toBeGreaterThan(2 * Math.round(canvasBox?.height ?? 0))
    await expect(chart.getByRole('status')).toHaveText(`Downloaded ${png.suggestedFilename()}`)
    // The lines' canvas is in the picture, not only the SVG axes: more of the first room's colour than
    // its legend swatch alone (10 × 10 px at twice the size: 400 px) holds. A fresh chart's line is a
    // dot (one reading), so this is little more: about 600 with it, about 420 without.
    const firstRoomColour = await chart.locator('.chart-legend .legend-swatch line').nth(1).getAttribute('stroke')
    expect(await pixelsOfColour(page, await downloaded(png), firstRoomColour ?? '')).toBeGreaterThan(500)
    // Kept beside the test's other output, to look at.
    await png.saveAs(testInfo.outputPath('overview-chart.png'))

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      chart.getByRole('button', { name: "Save the chart's data as CSV" }).click(),
    ])
    expect(csv.suggestedFilename()).toMatch(/^headcount-overview-.*Z\.csv$/)
    const lines = csvLines(await downloaded(csv))
    // The total and the busiest rooms, as the legend shows them.
    expect(lines[0]).toEqual(['time', 'All rooms', 'lobby', 'stage', 'cafe', 'library'])
    for (const line of lines.slice(1)) expect(line[0]).toMatch(ISO_UTC)
    expect(lines.at(-1)?.slice(1)).toEqual(
      [TOTAL, roomTotal('lobby'), roomTotal('stage'), roomTotal('cafe'), roomTotal('library')].map(String),
    )

    await overview.room('lobby').click()
    const roomChart = room.chart
    await expect(roomChart.locator('.chart-canvas svg').first()).toBeVisible()
    const [roomCsv] = await Promise.all([
      page.waitForEvent('download'),
      roomChart.getByRole('button', { name: "Save the chart's data as CSV" }).click(),
    ])
    expect(roomCsv.suggestedFilename()).toMatch(/^headcount-room-lobby-.*Z\.csv$/)
    const roomLines = csvLines(await downloaded(roomCsv))
    expect(roomLines[0]?.[0]).toBe('time')
    expect(roomLines[0]?.slice(1).sort()).toEqual(['blue', 'red'])
    const last = roomLines.at(-1) ?? []
    const column = (group: string) => last[(roomLines[0] ?? []).indexOf(group)]
    expect([column('red'), column('blue')]).toEqual([String(CROWD.lobby?.red), String(CROWD.lobby?.blue)])
    const [roomPng] = await Promise.all([
      page.waitForEvent('download'),
      roomChart.getByRole('button', { name: 'Save the chart as PNG' }).click(),
    ])
    pngSize(await downloaded(roomPng))
  })

  test('a wide CSV until now: a column per chosen room, rooms that have emptied included, blank where unknown', async ({
    page,
    console,
    exporter,
    engine,
    crowd,
    connected: _connected,
  }) => {
    // A room that fills, then empties: it is in the history, with no one present now.
    const popUp = crowd.running.injectMany([
      { channel: 'private-popup-red-p-popup-1' },
      { channel: 'private-popup-red-p-popup-2' },
    ])
    await engine.call('sync.now')
    await expect.poll(async () => (await engine.call('rooms.list')).rooms.map((r) => r.room)).toContain('popup')
    crowd.running.removeInjectedMany(popUp)
    await engine.call('sync.now')
    await expect.poll(async () => (await engine.call('rooms.list')).rooms.map((r) => r.room)).not.toContain('popup')

    await console.open()
    await console.goTo('Export')
    const form = exporter.form
    await expect(form.getByLabel('Until now')).toBeChecked()
    await expect(form.getByLabel('To', { exact: true })).toHaveValue('now')
    await exporter.chooseRooms()
    const choices = exporter.roomChoices
    await expect(choices.getByRole('checkbox')).toHaveCount(5)
    await expect(choices.getByRole('listitem').filter({ hasText: 'popup' })).toContainText('emptied')

    await form.getByRole('button', { name: 'Select all 5' }).click()
    await expect(choices.getByRole('checkbox', { checked: true })).toHaveCount(5)
    await form.getByRole('button', { name: 'Select none' }).click()
    await expect(choices.getByRole('checkbox', { checked: true })).toHaveCount(0)
    await form.getByLabel('Rooms that have emptied').uncheck()
    await expect(choices.getByRole('checkbox')).toHaveCount(4)
    await form.getByLabel('Rooms that have emptied').check()
    await form.getByRole('searchbox', { name: 'Find rooms to export' }).fill('p')
    await form.getByRole('button', { name: /^Select all 1 found$/ }).click()
    await form.getByRole('searchbox', { name: 'Find rooms to export' }).fill('')
    await choices.getByRole('checkbox', { name: /lobby/ }).check()

    await form.getByRole('radio', { name: /A column per room/ }).check()
    await expect(form.getByRole('radio', { name: 'Every change' })).toBeDisabled()
    await form.getByRole('radio', { name: '10 seconds' }).click()
    // One click: the file downloads as soon as it is written.
    await expect(form.getByLabel('Download it as soon as it is written')).toBeChecked()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      form.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    await expect(exporter.jobs.getByRole('link', { name: 'Download CSV' })).toBeVisible()
    await expect(exporter.jobs).toContainText('a column per room')
    await console.screenshot('export-wide')
    expect(download.suggestedFilename()).toMatch(/^headcount-occupancy-by-room-10s-/)
    const lines = csvLines(await downloaded(download))
    expect(lines[0]).toEqual(['time', '*total*', 'popup', 'lobby'])
    for (const line of lines.slice(1)) expect(line[0]).toMatch(ISO_UTC)
    // The last interval: popup has emptied (0, known), lobby holds its crowd, the total everyone.
    expect(lines.at(-1)?.slice(1)).toEqual([String(TOTAL), '0', String(roomTotal('lobby'))])
    // Before the history began (the range starts an hour ago), nothing is known: blank, not 0.
    expect(lines[1]?.slice(1)).toEqual(['', '', ''])
  })
})
