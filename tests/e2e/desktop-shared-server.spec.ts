import { ConsolePage } from './pages/console-page.ts'
import { OverviewSection } from './pages/sections.ts'
import { CROWD, roomTotal } from './support/crowd.ts'
import { DesktopShell } from './support/desktop-shell.ts'
import { expect, TEAM_TOKEN, test } from './fixtures.ts'

// The desktop console (its renderer, driven by the desktop's real engine host: see support/desktop-shell.ts)
// opening a team's shared server over TLS: the certificate trust step, the token, the title and status
// bar, and the way back to this computer's engine.

const EXPECTED = Object.fromEntries(Object.keys(CROWD).map((room) => [room, roomTotal(room)]))

test.describe('the desktop console and a shared server', () => {
  test('trusts the server’s certificate once compared, shows its rooms, and switches back', async ({
    page,
    teamServer,
  }, testInfo) => {
    const shell = await DesktopShell.open(page)
    try {
      const console = new ConsolePage(page, `${testInfo.outputDir}/screenshots`)
      await expect(page).toHaveTitle('Headcount — this computer')
      await expect(console.statusBar).toContainText('desktop · this computer')

      await console.goTo('Connections')
      const engine = console.view('Connections').getByRole('region', { name: 'Engine' })
      await expect(engine).toContainText('Shown now: This computer’s engine')
      await engine.getByRole('radio', { name: 'A shared server' }).check()
      const base = teamServer.server.url.replace(/\?.*$/, '')
      await engine.getByLabel('Server address').fill(base)
      await engine.getByLabel('Access token').fill(TEAM_TOKEN)
      await engine.getByRole('button', { name: 'Connect to the shared server' }).click()

      // First contact: the fingerprint to compare with the one the server printed, before anything is sent.
      const check = engine.getByRole('alert', { name: 'Certificate to check' })
      await expect(check).toContainText('This computer does not trust the server')
      await expect(check).toContainText(teamServer.server.fingerprint as string)
      await console.screenshot('engine-certificate-check')
      await check.getByRole('button', { name: 'The fingerprints match: trust it and connect' }).click()

      // The console starts afresh on the shared server, and says so.
      const shown = `shared server wss://127.0.0.1:${teamServer.server.port}`
      await expect(page).toHaveTitle(`Headcount — ${shown}`)
      await expect(console.statusBar).toContainText(`desktop · ${shown}`)
      await expect(console.statusBar).toContainText('Local emulator')
      await expect.poll(() => new OverviewSection(console).visibleCounts()).toEqual(EXPECTED)
      await console.screenshot('engine-shared-server')

      // Back to this computer's engine, without a restart.
      await console.goTo('Connections')
      await engine.getByRole('radio', { name: 'This computer' }).check()
      await engine.getByRole('button', { name: 'Use this computer’s engine' }).click()
      await expect(page).toHaveTitle('Headcount — this computer')
      await expect(console.statusBar).toContainText('Not connected')
    } finally {
      await shell.close()
    }
  })

  test('refuses a wrong token in words and keeps this computer’s engine', async ({ page, teamServer }) => {
    const shell = await DesktopShell.open(page)
    try {
      const console = new ConsolePage(page, '')
      await console.goTo('Connections')
      const engine = console.view('Connections').getByRole('region', { name: 'Engine' })
      await engine.getByRole('radio', { name: 'A shared server' }).check()
      await engine.getByLabel('Server address').fill(teamServer.server.url.replace(/\?.*$/, ''))
      await engine.getByLabel('Access token').fill('not-the-token')
      await engine.getByRole('button', { name: 'Connect to the shared server' }).click()
      await engine.getByRole('button', { name: 'The fingerprints match: trust it and connect' }).click()
      await expect(engine.getByRole('alert')).toHaveText(/^The server refused the access token/)
      await expect(page).toHaveTitle('Headcount — this computer')
      // The certificate stays trusted for this address: the right token connects without asking again.
      await engine.getByLabel('Access token').fill(TEAM_TOKEN)
      await engine.getByRole('button', { name: 'Connect to the shared server' }).click()
      await expect(page).toHaveTitle(/^Headcount — shared server wss:/)
    } finally {
      await shell.close()
    }
  })

  test('offers this computer’s engine while the shared server is down', async ({ page, teamServer }) => {
    const shell = await DesktopShell.open(page)
    try {
      const console = new ConsolePage(page, '')
      const switched = await shell.host.dispatch('engine.useRemote', {
        url: teamServer.server.url,
        fingerprint: teamServer.server.fingerprint,
      })
      expect(switched).toMatchObject({ ok: true, value: { outcome: 'switched' } })
      await expect(page).toHaveTitle(/shared server/)
      await teamServer.server.stop()
      const banner = page.getByRole('alert', { name: 'Shared server not connected' })
      await expect(banner).toContainText('The connection to the shared server was lost')
      await expect(console.statusBar).toContainText('Shared server wss://127.0.0.1:')
      await banner.getByRole('button', { name: 'Use this computer’s engine' }).click()
      await expect(page).toHaveTitle('Headcount — this computer')
      await expect(banner).toHaveCount(0)
    } finally {
      await shell.close()
    }
  })
})
