import { expect, test } from './fixtures.ts'
import { roomTotal } from './support/crowd.ts'

interface Notice {
  title: string
  body: string | undefined
}

declare global {
  interface Window {
    recordedNotices?: Notice[]
  }
}

// The browser allows notifications (as an operator who said yes once), and each one the page makes
// is recorded before the browser shows it.
test.use({ permissions: ['notifications'] })

test.describe('alerts', () => {
  test('a rule "lobby above 100" fires with a notification, a mark and a log line, then resolves', async ({
    page,
    console,
    overview,
    alerts,
    engine,
    crowd,
    connected: _connected,
  }) => {
    await page.addInitScript(() => {
      const Original = window.Notification
      const recorded: { title: string; body: string | undefined }[] = []
      window.recordedNotices = recorded
      class Recording extends Original {
        constructor(title: string, options?: NotificationOptions) {
          recorded.push({ title, body: options?.body })
          super(title, options)
        }
      }
      Object.defineProperty(Recording, 'permission', { get: () => Original.permission })
      Object.defineProperty(Recording, 'requestPermission', { value: Original.requestPermission.bind(Original) })
      window.Notification = Recording
    })
    const notices = () => page.evaluate(() => window.recordedNotices ?? [])

    await console.open()
    await console.goTo('Alerts')
    const { region: view, rules, log } = alerts
    await expect(view.getByLabel('Notifications')).toContainText('shows a notification')
    await alerts.describeRoomAbove('lobby', 100)
    await expect(alerts.form).toContainText('lobby above 100 people.')
    await alerts.addRule()
    await expect(rules.getByRole('listitem', { name: 'lobby above 100 people' })).toBeVisible()
    await expect(log).toContainText('No alert has fired')

    // The crowd grows past 100 in the lobby.
    const extra = crowd.running.injectMany(
      Array.from({ length: 70 }, (_, i) => ({ channel: `private-lobby-red-p-extra-${i}` })),
    )
    await engine.call('sync.now')
    const size = roomTotal('lobby') + 70
    await expect
      .poll(notices)
      .toEqual([{ title: 'Alert: lobby above 100 people', body: `lobby has ${size} people, above 100` }])
    const line = log.getByRole('listitem', { name: 'lobby above 100 people: firing' })
    await expect(line).toContainText(`lobby has ${size} people, above 100`)
    await expect(line).toContainText('Firing')
    await console.screenshot('alerts-firing')

    await console.goTo('Overview')
    const mark = overview.chart.locator('.chart-band-firing')
    await expect(mark).toHaveCount(1)
    await expect(mark).toHaveAttribute('data-alert', 'Alert lobby above 100 people, firing')
    // Said in words in the chart's name, as the drawing is hidden from assistive technology.
    await expect(overview.chart.getByRole('img', { name: /Alert lobby above 100 people, firing$/ })).toBeVisible()
    await expect(mark).toContainText('lobby above 100 people')
    await console.screenshot('alerts-chart-mark')

    // Back down: resolved once, in words, on the chart and in the log.
    crowd.running.removeInjectedMany(extra)
    await engine.call('sync.now')
    await expect.poll(notices).toEqual([
      { title: 'Alert: lobby above 100 people', body: `lobby has ${size} people, above 100` },
      { title: 'Resolved: lobby above 100 people', body: `lobby is down to ${roomTotal('lobby')} people` },
    ])
    await expect(overview.chart.locator('.chart-band-resolved')).toHaveCount(1)
    await expect(overview.chart.locator('.chart-band-firing')).toHaveCount(0)
    await console.goTo('Alerts')
    const resolved = log.getByRole('listitem', { name: 'lobby above 100 people: resolved' })
    await expect(resolved).toContainText(`lobby is down to ${roomTotal('lobby')} people`)

    // The log is the history's: a reload reads the same line back.
    await page.reload()
    await console.goTo('Alerts')
    await expect(log.getByRole('listitem')).toHaveCount(1)
    await expect(resolved).toBeVisible()

    // Edit the rule, then delete it, with the keyboard's reach of plain buttons.
    await rules.getByRole('button', { name: 'Edit lobby above 100 people' }).click()
    const edit = view.getByRole('form', { name: 'Edit the alert rule' })
    await expect(edit.getByLabel('People', { exact: true })).toHaveValue('100')
    await edit.getByLabel('People', { exact: true }).fill('250')
    await edit.getByRole('button', { name: 'Save the rule' }).click()
    await expect(rules.getByRole('listitem', { name: 'lobby above 250 people' })).toBeVisible()
    await rules.getByRole('button', { name: 'Delete lobby above 250 people' }).focus()
    await page.keyboard.press('Enter')
    await expect(rules).toContainText('No rules yet')
  })

  test('a rule the engine refuses says why, and nothing is saved', async ({
    console,
    alerts,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Alerts')
    const { form, rules } = alerts
    await form.getByLabel('When', { exact: true }).selectOption({ label: 'Sync stale' })
    const seconds = form.getByLabel('For more than, seconds')
    await seconds.fill('1')
    await alerts.addRule()
    await expect(seconds).toHaveAccessibleDescription('Seconds is a whole number from 5 to 86,400')
    await expect(rules).toContainText('No rules yet')

    // Each bad number is refused in words beside its field, and what was typed stays.
    await alerts.describeRoomAbove('lobby', 100)
    const people = form.getByLabel('People', { exact: true })
    for (const typed of ['-5', '', '1e30', '2.5']) {
      await people.fill(typed)
      await alerts.addRule()
      await expect(people).toHaveAttribute('aria-invalid', 'true')
      await expect(people).toHaveAccessibleDescription('People is a whole number from 0 to 100,000,000')
      await expect(people).toHaveValue(typed)
      await expect(form.getByLabel('Room', { exact: true })).toHaveValue('lobby')
    }
    await form.getByLabel('When', { exact: true }).selectOption({ label: 'A room changing fast' })
    const percent = form.getByLabel('By more than, %')
    await percent.fill('0')
    await alerts.addRule()
    await expect(percent).toHaveAccessibleDescription('Percent is a number from 1 to 10,000')
    await expect(rules).toContainText('No rules yet')
    // Corrected, it saves.
    await percent.fill('50')
    await alerts.addRule()
    await expect(rules.getByRole('listitem')).toHaveCount(1)
    await expect(form.getByLabel('People', { exact: true })).toHaveAttribute('aria-invalid', 'false')
  })
})
