import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.ts'
import { ConsolePage, type Section } from './pages/console-page.ts'
import { ExportSection, RoomSection } from './pages/sections.ts'

// Comparing rooms on the chart, views that live in the URL, the keyboard and small screens.

const SECTIONS: Section[] = ['Overview', 'Rooms', 'Connections', 'Broadcast', 'Export', 'Settings']

/** How far the page, or the console's scrolling content, reaches past its width. */
async function sidewaysOverflow(page: Page): Promise<{ page: number; content: number }> {
  return page.evaluate(() => {
    const scrolling = document.scrollingElement as HTMLElement
    const content = document.querySelector('main.content') as HTMLElement
    return {
      page: scrolling.scrollWidth - scrolling.clientWidth,
      content: content.scrollWidth - content.clientWidth,
    }
  })
}

test.describe('compare rooms and share views', () => {
  test('pin three rooms from the table and see exactly them on the chart', async ({
    page,
    console,
    overview,
    connected,
  }) => {
    void connected
    await console.open()
    const legend = overview.chart.getByRole('toolbar', { name: 'Series shown' })
    // By default: everyone and the busiest rooms (all four of the seeded crowd).
    await expect(legend.getByRole('button')).toHaveCount(5)
    for (const room of ['cafe', 'library', 'stage']) {
      await overview
        .room(room)
        .getByRole('button', { name: `Show ${room} on the chart` })
        .click()
      await expect(overview.room(room)).toHaveAttribute('aria-label', /on the chart$/)
    }
    await expect(overview.chart).toContainText('3 chosen rooms')
    await expect(legend.getByRole('button')).toHaveText([/All rooms/, /cafe/, /library/, /stage/])
    await expect(overview.chart.getByRole('img', { name: /^Occupancy over time/ })).toHaveAccessibleName(
      /Occupancy over time: All rooms, cafe, library and stage/,
    )
    // The legend hides and shows a series; hidden, it is still listed.
    await legend.getByRole('button', { name: /library/ }).click()
    await expect(legend.getByRole('button', { name: /library/ })).toHaveAttribute('aria-pressed', 'false')
    await expect(overview.chart.getByRole('img', { name: /^Occupancy over time/ })).toHaveAccessibleName(
      /All rooms, cafe and stage$/,
    )
    // A log scale, on round numbers; the choice is in the URL with the rooms.
    await overview.chart.getByRole('radio', { name: 'Log' }).click()
    await expect(page).toHaveURL(/pin=cafe&pin=library&pin=stage&hide=library&scale=log/)
    // The value axis reads 0 and powers of ten (with 2s and 5s between when few), the time axis clock times.
    const valueTicks = overview.chart.locator('.chart-value-axis text')
    await expect(valueTicks.first()).toHaveText('0')
    for (const tick of (await valueTicks.allTextContents()).slice(1))
      expect(tick.replaceAll(',', '')).toMatch(/^[125]0*$/)
    expect(await valueTicks.count()).toBeGreaterThan(2)
    await expect(overview.chart.locator('.chart-time-axis text').first()).toHaveText(/^\d\d:\d\d$/)
    await page.reload()
    await expect(legend.getByRole('button')).toHaveText([/All rooms/, /cafe/, /library/, /stage/])
    await expect(overview.chart.getByRole('radio', { name: 'Log' })).toHaveAttribute('aria-checked', 'true')
    // Back to the busiest.
    await overview.chart.getByRole('button', { name: 'Choose rooms…' }).click()
    await overview.chart.getByRole('button', { name: 'Show the busiest instead' }).click()
    await expect(legend.getByRole('button')).toHaveCount(5)
  })

  test('a zoomed room view, copied as a link, opens the same view in a new page', async ({
    page,
    context,
    console,
    overview,
    room,
    connected,
  }) => {
    void connected
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await console.open()
    await overview.room('stage').click()
    await expect(room.heading).toHaveText('Room stage')
    const chart = room.chart
    await chart.getByRole('button', { name: 'Zoom in' }).click()
    await chart.getByRole('button', { name: 'Zoom in' }).click()
    await expect(chart.getByRole('button', { name: 'Back to live' })).toBeVisible()
    await expect(chart.locator('.range-caption')).toContainText('not live')
    // A window of 15 minutes reads to the second.
    const caption = (await chart.locator('.range-caption').textContent()) ?? ''
    expect(caption).toMatch(/\d\d:\d\d:\d\d → \d\d:\d\d:\d\d, 15 min/)
    await expect(page).toHaveURL(/#\/rooms\/stage\?from=.*&to=.*&reset=1h/)

    const link = await console.copyLink()
    await expect(console.navigation.getByRole('status')).toContainText('Copied this page’s address')
    expect(link).toBe(page.url())

    const second = await context.newPage()
    await second.goto(link)
    const again = new RoomSection(new ConsolePage(second, ''))
    await expect(again.heading).toHaveText('Room stage')
    const secondChart = again.chart
    await expect(secondChart.locator('.range-caption')).toHaveText(caption)
    // Back to live returns to the hour the zoom started from.
    await secondChart.getByRole('button', { name: 'Back to live' }).click()
    await expect(secondChart.locator('.range-caption')).toHaveText('Last 1 h, live')
    await expect(second).toHaveURL(/#\/rooms\/stage\?range=1h$/)
    // The browser's Back returns to the overview the first page came from.
    await page.goBack()
    await expect(console.view('Overview')).toBeVisible()
  })

  test('the export form keeps its choices through a reload and in a copied link', async ({
    page,
    context,
    console,
    exporter,
    connected,
  }) => {
    void connected
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await console.open()
    await console.goTo('Export')
    const form = exporter.form
    await exporter.chooseRooms()
    const choices = exporter.roomChoices
    await choices.getByRole('checkbox', { name: /stage/ }).check()
    await choices.getByRole('checkbox', { name: /cafe/ }).check()
    await form.getByLabel('Rooms that have emptied').uncheck()
    await form.getByRole('searchbox', { name: 'Find rooms to export' }).fill('a')
    await form.getByRole('radio', { name: /A column per room/ }).check()
    await form.getByRole('radio', { name: '1 hour' }).click()
    await form.getByLabel('Until now').uncheck()
    await form.getByLabel('From').fill('2026-03-04 10:00:00')
    await form.getByLabel('To', { exact: true }).fill('2026-03-04 16:30:15')
    await form.getByLabel('Download it as soon as it is written').uncheck()
    await expect(page).toHaveURL(
      /#\/export\?resolution=1h&layout=wide&rooms=chosen&room=stage&room=cafe&q=a&emptied=hide/,
    )

    /** Every choice above, as the form shows it. */
    const expectSameForm = async (again: typeof form) => {
      await expect(again.getByRole('radio', { name: 'Chosen rooms' })).toBeChecked()
      const list = again.getByRole('list', { name: 'Rooms to export' })
      await expect(list.getByRole('checkbox', { checked: true })).toHaveCount(2)
      await expect(list.getByRole('checkbox', { name: /stage/ })).toBeChecked()
      await expect(list.getByRole('checkbox', { name: /cafe/ })).toBeChecked()
      await expect(again.getByText('2 chosen: stage, cafe')).toBeVisible()
      await expect(again.getByLabel('Rooms that have emptied')).not.toBeChecked()
      await expect(again.getByRole('searchbox', { name: 'Find rooms to export' })).toHaveValue('a')
      await expect(again.getByRole('radio', { name: /A column per room/ })).toBeChecked()
      await expect(again.getByRole('radio', { name: '1 hour' })).toHaveAttribute('aria-checked', 'true')
      await expect(again.getByLabel('Until now')).not.toBeChecked()
      await expect(again.getByLabel('From')).toHaveValue('2026-03-04 10:00:00')
      await expect(again.getByLabel('To', { exact: true })).toHaveValue('2026-03-04 16:30:15')
      await expect(again.getByLabel('Download it as soon as it is written')).not.toBeChecked()
    }
    await expectSameForm(form)
    await page.reload()
    await expectSameForm(form)

    const link = await console.copyLink()
    const second = await context.newPage()
    await second.goto(link)
    const secondExporter = new ExportSection(new ConsolePage(second, ''))
    await expectSameForm(secondExporter.form)

    // A hand-edited link with values the form doesn't know opens the defaults for those, and the rest.
    await second.goto(link.replace('resolution=1h', 'resolution=2s').replace(/from=[^&]*/, 'from=yesterday'))
    const edited = secondExporter.form
    await expect(edited.getByRole('radio', { name: '1 minute' })).toHaveAttribute('aria-checked', 'true')
    await expect(edited.getByLabel('To', { exact: true })).toHaveValue('2026-03-04 16:30:15')
    await expect(edited.getByRole('radio', { name: 'Chosen rooms' })).toBeChecked()
  })

  test('an export of more chosen rooms than a link can carry says so, and the link keeps the first ones', async ({
    page,
    console,
    exporter,
    engine,
    crowd,
    connected,
  }) => {
    void connected
    // 300 more rooms with long names: far more than about 2,000 characters of names.
    crowd.running.injectMany(
      Array.from({ length: 300 }, (_, i) => ({
        channel: `private-roomwithalongnameforthelink${String(i).padStart(3, '0')}-red-p-${i}`,
      })),
    )
    await engine.call('sync.now')
    await console.open()
    await console.goTo('Export')
    await exporter.chooseRooms()
    await exporter.form.getByRole('button', { name: 'Select all 304' }).click()
    const note = exporter.form.getByRole('note')
    await expect(note).toContainText(/keeps the first \d+ of the 304 rooms chosen/)
    await expect(note).toContainText('The export takes all 304.')
    const kept = Number(/the first (\d+) of/.exec((await note.textContent()) ?? '')?.[1])
    expect(kept).toBeGreaterThan(10)
    expect(kept).toBeLessThan(304)
    expect(decodeURIComponent(new URL(page.url()).hash).length).toBeLessThan(2_200)

    await page.reload()
    await expect(exporter.form.getByText(new RegExp(`(^|\\. )${kept} chosen: `))).toBeVisible()
    await expect(exporter.roomChoices.getByRole('checkbox', { checked: true })).toHaveCount(kept)
    await expect(note).toHaveCount(0)
  })

  test('moving between views (each a new URL hash) parses no SVG document for the page icon', async ({
    page,
    console,
  }) => {
    await console.open()
    // Chromium asks for the page's icon again on each same-document navigation; an SVG icon is built
    // into a document of its own on the page's main thread every time, mid-frame.
    const session = await page.context().newCDPSession(page)
    const events: { name: string }[] = []
    session.on('Tracing.dataCollected', ({ value }) => events.push(...(value as { name: string }[])))
    const complete = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve))
    await session.send('Tracing.start', { traceConfig: { includedCategories: ['blink', 'loading'] } })
    for (const section of ['Rooms', 'Connections', 'Overview', 'Rooms', 'Overview'] as const) {
      await console.goTo(section)
      await expect(page).toHaveURL(new RegExp(`#/${section.toLowerCase()}`))
    }
    // The icon is fetched after the navigation commits: give the last one time to land.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)))
    await session.send('Tracing.end')
    await complete
    // The trace did record the navigations, so an empty answer below means something.
    expect(events.filter((event) => /SameDocumentNavigation/i.test(event.name)).length).toBeGreaterThanOrEqual(5)
    expect(
      events.filter((event) => /SVGImage|IsolatedSVGDocument/.test(event.name)).map((event) => event.name),
    ).toEqual([])
  })
})

test.describe('the rooms view', () => {
  test('participants sort on the engine by any column, and the view says when a room is empty', async ({
    page,
    console,
    room,
    crowd,
    connected,
  }) => {
    void connected
    test.setTimeout(60_000)
    await console.open()
    await page.goto('/#/rooms/lobby')
    await expect(room.heading).toHaveText('Room lobby')
    // The figure and the list give the same count.
    await expect(room.people).toContainText('40')
    await expect(room.participants).toHaveAttribute('aria-rowcount', '41')
    const firstUser = room.participantRows.first().getByRole('cell').first()
    await room.participants.getByRole('button', { name: 'Sort by user' }).click()
    // Natural order: blue-2 before blue-10.
    await expect(firstUser).toHaveText('p-lobby-blue-0')
    await expect(room.participantRows.nth(2).getByRole('cell').first()).toHaveText('p-lobby-blue-2')
    await room.participants.getByRole('button', { name: 'Sort by user' }).click()
    await expect(firstUser).toHaveText('p-lobby-red-23')
    await expect(room.participants.getByRole('columnheader', { name: 'Sort by user' })).toHaveAttribute(
      'aria-sort',
      'descending',
    )
    await expect(page).toHaveURL(/#\/rooms\/lobby\?.*sort=user&order=desc/)
    // The list is one tab stop; the arrows move inside it.
    await firstUser.click()
    await page.keyboard.press('ArrowDown')
    await expect(room.participantRows.nth(1)).toBeFocused()
    await expect(room.participants.locator('[role="row"][tabindex="0"]')).toHaveCount(1)

    // The feed lists joins seen as they happened (not the crowd found at the first sync), and
    // filters them by user.
    const feed = room.region.getByRole('region', { name: 'Recent joins and leaves' })
    crowd.running.inject('private-lobby-red-newcomer')
    await expect(feed).toContainText('newcomerjoined', { timeout: 15_000 })
    await feed.getByLabel('Joins and leaves of user').fill('no-such-user')
    await expect(feed).toContainText('Nothing matches these filters.')
    await feed.getByLabel('Joins and leaves of user').fill('newcomer')
    await expect(feed).toContainText('newcomerjoined')

    // A room nobody is in opens, says so, and shows what history it has.
    await room.region.getByRole('combobox', { name: 'Room' }).fill('room-that-never-was')
    await room.region.getByRole('button', { name: 'Open' }).click()
    await expect(room.heading).toHaveText('Room room-that-never-was')
    await expect(room.region.getByRole('status').filter({ hasText: 'Nobody is in' })).toContainText(
      'Nobody is in room-that-never-was now',
    )
  })
})

test.describe('keyboard and small screens', () => {
  test('the overview is crossed in fewer than 30 Tab presses, and Enter on a room opens it', async ({
    page,
    console,
    overview,
    room,
    connected,
  }) => {
    void connected
    await console.open()
    await expect(overview.room('lobby')).toBeVisible()
    let presses = 0
    const isRow = () =>
      page.evaluate(() => document.activeElement?.matches('[aria-label="Rooms by occupancy"] [role="row"]') ?? false)
    while (presses < 30) {
      await page.keyboard.press('Tab')
      presses++
      if (await isRow()) break
    }
    expect(presses).toBeLessThan(30)
    await expect(overview.room('lobby')).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(overview.room('stage')).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(room.heading).toHaveText('Room stage')
    await expect(room.heading).toBeFocused()
  })

  test('no view scrolls sideways at 800 px, and the sidebar collapses', async ({ page, console, connected }) => {
    void connected
    await page.setViewportSize({ width: 800, height: 700 })
    await console.open()
    for (const section of SECTIONS) {
      await console.goTo(section)
      expect(await sidewaysOverflow(page), section).toEqual({ page: 0, content: 0 })
    }
    await console.navigation.getByRole('button', { name: 'Collapse the sidebar' }).click()
    await expect(console.navigation.getByRole('button', { name: 'Expand the sidebar' })).toHaveAttribute(
      'aria-expanded',
      'false',
    )
    const width = await console.navigation.evaluate((node) => node.getBoundingClientRect().width)
    expect(width).toBeLessThan(80)
    await console.goTo('Overview')
    expect(await sidewaysOverflow(page)).toEqual({ page: 0, content: 0 })
  })

  test('every view is free of serious accessibility violations', async ({ page, console, connected }) => {
    void connected
    // Six full-page checks take a while on a loaded machine.
    test.setTimeout(180_000)
    await console.open()
    for (const section of SECTIONS) {
      await console.goTo(section)
      // The overview is checked with its room chooser open, so the chooser is checked too.
      if (section === 'Overview') await page.getByRole('button', { name: 'Choose rooms…' }).click()
      // Let the view's data arrive (charts, lists) before it is checked.
      await page.waitForTimeout(500)
      const results = await new AxeBuilder({ page }).analyze()
      const serious = results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
      expect(serious, section).toEqual([])
    }
  })
})
