import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import { CROWD_PROFILE, expect, test } from './fixtures.ts'
import { roomTotal } from './support/crowd.ts'

// An operator watching two apps switches between them with a room, alerts and the broadcaster in use:
// nothing of one shows under the other, and coming back resumes where it was.

test.describe('switching connections', () => {
  let other: RunningEmulator | null = null
  test.afterEach(async () => {
    await other?.close()
    other = null
  })

  test('back and forth between two apps: rooms, alerts, spend and charts stay with their own app', async ({
    page,
    console,
    connections,
    overview,
    room,
    broadcast,
    alerts,
    engine,
    connected,
  }) => {
    test.setTimeout(90_000)
    // A second app as Soketi names them, with a lobby of its own (3 people) and a hall.
    other = await startEmulator({
      port: 0,
      appId: 'app-id',
      key: 'other-key',
      secret: 'other-secret',
      vacateDelayMs: 0,
    })
    other.injectMany([
      ...['u0', 'u1', 'u2', 'u3', 'u4'].map((user) => ({ channel: `private-hall-${user}` })),
      ...['v0', 'v1', 'v2'].map((user) => ({ channel: `private-lobby-${user}` })),
    ])
    await engine.call('profiles.save', {
      name: 'Soketi app',
      connection: {
        appId: 'app-id',
        key: 'other-key',
        target: { kind: 'host', host: '127.0.0.1', port: other.port, useTLS: false },
      },
      secret: 'other-secret',
      convention: { kind: 'template', template: 'private-{room}-{user}' },
    })
    await engine.call('alerts.saveRule', { id: connected, rule: { kind: 'room-above', room: 'lobby', people: 30 } })
    await engine.call('broadcast.set', { id: connected, settings: { enabled: true } })

    await page.goto('/#/rooms/lobby?range=5m')
    const people = room.people
    const chart = room.chart
    await expect(people).toContainText(String(roomTotal('lobby')))
    await expect(chart.locator('.chart-band-firing')).toHaveCount(1)
    await console.goTo('Broadcast')
    await expect(broadcast.region.getByRole('group', { name: 'Messages today' })).not.toContainText(
      /^Messages today0(?![\d,.])/,
    )

    const switchTo = async (name: string) => {
      await console.goTo('Connections')
      await connections.saved(name).getByRole('button', { name: 'Connect' }).click()
      await expect(console.statusBar).toContainText(`${name}:`)
    }
    await switchTo('Soketi app')
    await console.goTo('Rooms')
    await expect(page).toHaveURL(/#\/rooms\/lobby/)
    await expect(people).toContainText('3')
    await expect(room.participantRows).toHaveText([/^v0/, /^v1/, /^v2/])
    await expect(room.region.getByRole('region', { name: 'Groups now' })).toContainText('carry no group')
    await expect(chart.locator('.chart-band-firing')).toHaveCount(0)
    await console.goTo('Alerts')
    await expect(alerts.rules).toContainText('No rules yet')
    await expect(alerts.log).toContainText('No alert has fired')
    await console.goTo('Broadcast')
    await expect(broadcast.switch).toHaveAttribute('aria-checked', 'false')
    await expect(broadcast.region.getByRole('group', { name: 'Messages today' })).toContainText(
      /^Messages today0(?![\d,.])/,
    )
    await console.goTo('Overview')
    expect(await overview.visibleCounts()).toEqual({ hall: 5, lobby: 3 })

    // And back: the first app's rooms, its firing alert, its broadcaster, and the time away as a gap.
    await switchTo(CROWD_PROFILE)
    await console.goTo('Rooms')
    await expect(people).toContainText(String(roomTotal('lobby')))
    await expect(room.participantRows.first()).toContainText('p-lobby-')
    await expect(chart.locator('.chart-span[data-kind="gap"]')).toHaveAttribute(
      'aria-label',
      /Watching another connection/,
    )
    await console.goTo('Alerts')
    await expect(alerts.log.getByRole('listitem', { name: 'lobby above 30 people: firing' })).toBeVisible()
    await console.goTo('Broadcast')
    await expect(broadcast.switch).toHaveAttribute('aria-checked', 'true')
    await console.goTo('Overview')
    expect(await overview.visibleCounts()).toEqual({ lobby: 40, stage: 21, cafe: 7, library: 4 })
  })
})
