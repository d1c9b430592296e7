import { readFileSync } from 'node:fs'
import { startEmulator } from '../../src/emulator/index.ts'
import { expect, test } from './fixtures.ts'

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

test.describe('the console in web mode', () => {
  test("loads with its sections, status bar and the engine's status", async ({ page, console }) => {
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    await console.open()
    for (const section of ['Overview', 'Rooms', 'Connections', 'Broadcast', 'Export', 'Alerts', 'Settings'] as const) {
      await expect(console.tab(section)).toBeVisible()
    }
    await expect(console.tab('Overview')).toHaveAttribute('aria-selected', 'true')
    await expect(console.view('Overview')).toBeVisible()
    await expect(console.statusBar).toContainText('Not connected')
    await expect(console.statusBar).toContainText(`Headcount ${version} · web mode`)
    await expect(console.view('Overview').getByRole('region', { name: 'Get started' })).toBeVisible()
    await console.screenshot('first-run')
    expect(errors, 'no script errors or CSP violations').toEqual([])
  })

  test('moves between sections with the keyboard', async ({ page, console }) => {
    await console.open()
    await console.tab('Overview').focus()
    await page.keyboard.press('ArrowDown')
    await expect(console.tab('Rooms')).toBeFocused()
    await expect(console.view('Rooms')).toBeVisible()
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('ArrowUp')
    await expect(console.view('Settings')).toBeVisible()
  })

  test("shows the engine's answer to a contract call and keeps a change across reloads", async ({
    page,
    console,
    settings,
  }) => {
    await console.open()
    await console.goTo('Settings')
    await expect(settings.about).toContainText(version)
    await expect(settings.about).toContainText('Web mode · Node 24.')
    await expect(settings.about).toContainText('file readable only by this user')

    await settings.theme('Dark').check()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await console.screenshot('settings-dark')
    await page.reload()
    await console.goTo('Settings')
    await expect(settings.theme('Dark')).toBeChecked()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await settings.theme('Light').check()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light')
    await console.screenshot('settings')
  })

  test("refuses an invalid change with the engine's reason, and saves a valid one", async ({
    page,
    console,
    settings,
  }) => {
    await console.open()
    await console.goTo('Settings')
    await settings.saveRetention('0', '90')
    await expect(settings.retention.getByRole('alert')).toHaveText(
      /^Invalid input for settings\.update: rawRetentionDays: Too small: expected number to be >=1/,
    )
    await settings.saveRetention('14', '120')
    await expect(settings.retention.getByRole('status')).toHaveText('Saved')
    await page.reload()
    await console.goTo('Settings')
    await expect(settings.retention.getByLabel('Raw samples, days')).toHaveValue('14')
  })

  test('a malformed call on the API socket gets a clear error and the server keeps serving', async ({
    page,
    console,
  }) => {
    await console.open()
    const replies = await page.evaluate(async () => {
      const socket = new WebSocket(`ws://${location.host}/api`)
      const received: unknown[] = []
      await new Promise((resolve) => (socket.onopen = resolve))
      const done = new Promise<void>((resolve) => {
        socket.onmessage = (message) => {
          const frame = JSON.parse(message.data as string)
          if ('event' in frame) return
          received.push(frame)
          if (received.length === 3) resolve()
        }
      })
      socket.send('this is not json')
      socket.send(JSON.stringify({ id: 1, method: 'settings.update', input: { theme: 'purple' } }))
      socket.send(JSON.stringify({ id: 2, method: 'app.info' }))
      await done
      socket.close()
      return received
    })
    expect(replies[0]).toMatchObject({
      id: null,
      result: { ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^Malformed frame/) } },
    })
    expect(replies[1]).toMatchObject({
      id: 1,
      result: { ok: false, error: { code: 'bad-request', issues: [{ path: 'theme' }] } },
    })
    expect(replies[2]).toMatchObject({ id: 2, result: { ok: true, value: { name: 'Headcount' } } })
  })
  test("the connection form takes an app id that is a name, as Soketi's app-1, and it works", async ({
    console,
    connections,
  }) => {
    const emulator = await startEmulator({ appId: 'app-1' })
    try {
      await console.open()
      await console.goTo('Connections')
      await connections.openNewForm()
      const fields = {
        name: 'Soketi',
        appId: 'app 1',
        key: emulator.key,
        secret: emulator.secret,
        host: '127.0.0.1',
        port: emulator.port,
      }
      await connections.fill(fields)
      await connections.test()
      await expect(connections.form.getByText(/App id is 1 to 100 letters, digits/)).toBeVisible()

      await connections.form.getByLabel('App id', { exact: true }).fill('app-1')
      await connections.test()
      await expect(connections.form.getByRole('status')).toContainText('Connection works')
      await connections.form.getByRole('button', { name: 'Cancel' }).click()
    } finally {
      await emulator.close()
    }
  })
})
