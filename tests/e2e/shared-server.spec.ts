import type { Browser, Page } from '@playwright/test'
import { ConsolePage } from './pages/console-page.ts'
import { OverviewSection } from './pages/sections.ts'
import { CROWD, roomTotal } from './support/crowd.ts'
import { serveConsole } from './support/serve.ts'
import { expect, TEAM_TOKEN, test } from './fixtures.ts'

// A team's one `headcount serve` over TLS with a token, and the operators' pages on it. The browser
// doesn't know the test's self-signed certificate (its trust store isn't ours), so each operator's
// context is told to accept it; the desktop console pins it instead (tests/integration/remote).

const EXPECTED = Object.fromEntries(Object.keys(CROWD).map((room) => [room, roomTotal(room)]))

/** An operator's browser: its own context (cookies and all), as another person's machine would be. */
async function operatorPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })
  return context.newPage()
}

test.describe('the team server over TLS with a token', () => {
  test('a second operator’s page shows the same rooms as the first', async ({ browser, teamServer }, testInfo) => {
    const { server } = teamServer
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/)
    const first = await operatorPage(browser)
    const second = await operatorPage(browser)
    const counts: Record<string, number>[] = []
    for (const page of [first, second]) {
      const console = new ConsolePage(page, `${testInfo.outputDir}/screenshots`)
      await page.goto(server.url)
      await expect(console.statusBar).toContainText('web mode')
      await expect(console.statusBar).toContainText('Local emulator')
      // The token went into a cookie that only travels over TLS, and out of the address bar.
      expect(new URL(page.url()).search).toBe('')
      const cookies = await page.context().cookies()
      expect(cookies).toEqual([expect.objectContaining({ name: 'headcount_token', secure: true, httpOnly: true })])
      const overview = new OverviewSection(console)
      await expect.poll(() => overview.visibleCounts()).toEqual(EXPECTED)
      counts.push(await overview.visibleCounts())
    }
    expect(counts[1]).toEqual(counts[0])

    // One engine behind both: a change one operator makes reaches the other's page.
    await new ConsolePage(first, '').goTo('Settings')
    await first.getByRole('radio', { name: 'Dark' }).check()
    await expect(second.locator('html')).toHaveAttribute('data-theme', 'dark')
    await first.context().close()
    await second.context().close()
  })

  test('a wrong token is refused in words, and so is none', async ({ browser, teamServer }) => {
    const base = teamServer.server.url.replace(/\?.*$/, '')
    const page = await operatorPage(browser)
    const wrong = await page.goto(`${base}?token=not-the-token`)
    expect(wrong?.status()).toBe(401)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The server refused the access token')
    await expect(page.getByRole('alert')).toContainText('Open the address that headcount serve printed when it started')
    await expect(page).toHaveTitle('The server refused the access token · Headcount')
    expect(await page.content()).not.toContain(TEAM_TOKEN)

    const none = await page.goto(base)
    expect(none?.status()).toBe(401)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('This Headcount server needs an access token')
    await page.context().close()
  })

  test('a page whose token the server no longer accepts says so instead of retrying', async ({
    browser,
    teamServer,
  }) => {
    const { certificate } = teamServer
    // A server of this test's own, restarted on its port with a new token (as after a restart without
    // --token): the page's cookie still holds the old one.
    const before = await serveConsole({ token: 'the-token-before', tls: certificate })
    let after: Awaited<ReturnType<typeof serveConsole>> | null = null
    try {
      const page = await operatorPage(browser)
      const console = new ConsolePage(page, '')
      await page.goto(before.url)
      await expect(console.statusBar).toContainText('web mode')
      await before.stop()
      after = await serveConsole({ token: 'the-token-after', tls: certificate, port: before.port })
      await expect(console.statusBar).toContainText('The server refused the access token', { timeout: 15_000 })
      await expect(console.staleBanner).toContainText('The server refused the access token')
      await page.context().close()
    } finally {
      await before.stop()
      await after?.stop()
    }
  })
})
