import Pusher from 'pusher-js'
import { expect, test } from './fixtures.ts'
import { TEMPLATE } from './support/crowd.ts'
import { startPlainServer } from './support/plain-server.ts'

test.describe('the message economy in the Broadcast panel', () => {
  test('a budget is chosen from Pusher’s plans or typed, bad figures are refused in words, and the room channel is checked against the convention', async ({
    console,
    broadcast,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Broadcast')
    const budget = broadcast.budget
    await budget.getByLabel('Daily budget').selectOption({ label: 'Pro: 4,000,000 a day' })
    await budget.getByRole('button', { name: 'Save budget' }).click()
    await expect(budget.getByRole('status')).toHaveText('Budget: 4,000,000 messages a day (Pro)')
    await expect(broadcast.region.getByRole('group', { name: 'Budget' })).toContainText('of 4M in Pusher’s day (UTC)')

    await budget.getByLabel('Daily budget').selectOption({ label: 'Another number…' })
    await budget.getByLabel('Messages a day').fill('lots')
    await budget.getByRole('button', { name: 'Save budget' }).click()
    await expect(budget.getByRole('alert')).toContainText('"lots" is neither a number of messages a day')
    await budget.getByLabel('Messages a day').fill('25M')
    await budget.getByRole('button', { name: 'Save budget' }).click()
    await expect(budget.getByRole('status')).toHaveText('Budget: 25,000,000 messages a day')

    // With a budget and a public room channel: both are pointed out, and cache channels offered.
    const settings = broadcast.region.getByRole('form', { name: 'Broadcast settings' })
    await expect(settings.getByRole('note', { name: 'Room channel note' }).first()).toContainText('public channel')
    await expect(settings).toContainText('a cache channel')
    await settings
      .getByRole('group', { name: 'Room channel suggestions' })
      .getByRole('button', { name: 'cache-{room}', exact: true })
      .click()
    await expect(settings.getByLabel('Room channel ({room})')).toHaveValue('cache-{room}')
    await expect(settings).toContainText('Cache channel: no heartbeats')

    // A room channel that reads as a participant under the convention is refused before it is used.
    await settings.getByLabel('Room channel ({room})').fill('private-{room}-all-members')
    await expect(settings.getByRole('alert', { name: 'Room channel refused' })).toContainText(
      `Under ${TEMPLATE}, private-lobby-all-members reads as user "members" in room "lobby"`,
    )
    await settings.getByRole('button', { name: 'Save' }).click()
    await expect(settings.getByRole('alert').last()).toContainText('reads as user')
  })

  test('switching on against a server that is not the emulator asks once, naming the channels and the daily cost', async ({
    page,
    console,
    broadcast,
    engine,
    crowd,
  }) => {
    const plain = await startPlainServer(crowd.port)
    const received: unknown[] = []
    const listener = new Pusher('headcount-key', {
      cluster: 'local',
      wsHost: '127.0.0.1',
      wsPort: crowd.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
    })
    try {
      const profile = await engine.call('profiles.save', {
        name: 'Compatible server',
        connection: {
          appId: crowd.running.appId,
          key: crowd.running.key,
          target: { kind: 'host', host: '127.0.0.1', port: plain.port, useTLS: false },
        },
        secret: crowd.running.secret,
        convention: { kind: 'template', template: TEMPLATE },
      })
      await engine.call('connection.connect', { id: profile.id })
      await expect
        .poll(async () => (await engine.call('status.get')).broadcast?.target ?? null, { timeout: 15_000 })
        .toBe('other')
      const channel = listener.subscribe('lobby')
      await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve()))
      channel.bind('occupancy', (data: unknown) => received.push(data))

      await console.open()
      await console.goTo('Broadcast')
      await broadcast.switch.click()
      const dialog = broadcast.region.getByRole('alertdialog', { name: 'Confirm broadcasting' })
      await expect(dialog).toContainText('Broadcast to Compatible server?')
      await expect(dialog).toContainText('a Pusher-compatible server')
      await expect(dialog).toContainText('lobby')
      await expect(dialog).toContainText(/Projected cost: (about [\d.,kMB]+ messages a day|not known yet)/)
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await expect(dialog).toBeHidden()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'false')
      await page.waitForTimeout(1_500)
      expect(received, 'nothing is sent before the operator confirms').toHaveLength(0)

      await broadcast.switch.click()
      await dialog.getByRole('button', { name: 'Broadcast' }).click()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'true')
      await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0)

      // Asked once per connection: off and on again goes straight through.
      await broadcast.switch.click()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'false')
      await broadcast.switch.click()
      await expect(dialog).toBeHidden()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'true')
    } finally {
      listener.disconnect()
      await engine.call('connection.disconnect')
      await plain.close()
    }
  })
})
