import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import Pusher from 'pusher-js'
import { MAX_FRIENDS_CSV_CHARS } from '../../src/shared/broadcast.ts'
import { CROWD_PROFILE, expect, test } from './fixtures.ts'
import { CROWD, roomTotal, TEMPLATE, userOf } from './support/crowd.ts'

// Each journey starts from its own server and data folder; those that need a connection ask for the
// `connected` fixture, which saves and connects the seeded crowd before the page opens.

test.describe('operator journeys in web mode', () => {
  test('the first run offers a one-click demo that shows a live crowd', async ({
    page,
    console,
    firstRun,
    overview,
  }) => {
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    await console.open()
    await firstRun.startDemo()
    await expect(console.statusBar).toContainText('Demo (embedded emulator)', { timeout: 15_000 })
    await expect(overview.figure('People present')).toContainText(/\d,\d{3}/)
    await expect(overview.figure('Rooms')).toContainText('12')
    await expect(overview.roomsTable).toHaveAttribute('aria-rowcount', '13')
    await expect(overview.figure('Mode')).toContainText('demo crowd')
    await page.getByRole('button', { name: 'Stop the demo' }).click()
    await expect(console.statusBar).toContainText('Not connected')
    expect(errors, 'no script errors or CSP violations').toEqual([])
  })

  test('adding a connection: a wrong secret is refused in plain words, the right one connects', async ({
    console,
    connections,
    crowd,
  }) => {
    await console.open()
    await console.goTo('Connections')
    await connections.openNewForm()
    const fields = {
      name: CROWD_PROFILE,
      appId: '1',
      key: 'headcount-key',
      secret: 'not-the-secret',
      host: '127.0.0.1',
      port: crowd.port,
      template: TEMPLATE,
    }
    await connections.fill(fields)
    await connections.test()
    await expect(connections.form.getByRole('alert')).toContainText('Wrong key or secret')
    await expect(connections.form.getByRole('alert')).toContainText(`http://127.0.0.1:${crowd.port}`)

    await connections.form.getByLabel('Secret', { exact: true }).fill('headcount-secret')
    await connections.test()
    await expect(connections.form.getByRole('status')).toContainText('Connection works')
    await expect(connections.form.getByRole('status')).toContainText(
      `lists ${Object.keys(CROWD).reduce((sum, room) => sum + roomTotal(room), 0)} participant channels`,
    )
    await console.screenshot('connect')
    await connections.saveAndConnect()
    await expect(console.statusBar).toContainText(CROWD_PROFILE)

    // The secret is never shown again: editing offers an empty field.
    await console.goTo('Connections')
    await connections.saved(CROWD_PROFILE).getByRole('button', { name: 'Edit' }).click()
    await expect(connections.form.getByLabel('Secret', { exact: true })).toHaveValue('')
    await connections.form.getByRole('button', { name: 'Cancel' }).click()
  })

  test('the overview shows the crowd’s rooms with the right counts', async ({
    console,
    overview,
    crowd,
    connected: _connected,
  }) => {
    await console.open()
    const expected = Object.fromEntries(Object.keys(CROWD).map((room) => [room, roomTotal(room)]))
    await expect.poll(() => overview.visibleCounts()).toEqual(expected)
    // The emulator's own channel list agrees.
    const listed = crowd.running.stats().channels.occupied
    expect(listed).toBe(Object.values(expected).reduce((sum, n) => sum + n, 0))
    await expect(overview.figure('People present')).toContainText(String(listed))
    await expect(overview.figure('Rooms')).toContainText('4')
    await expect(overview.room('lobby')).toContainText('red 24 · blue 16')
    await overview.roomsTable.getByRole('button', { name: 'Sort by room' }).click()
    await expect
      .poll(async () => Object.keys(await overview.visibleCounts()))
      .toEqual(['cafe', 'library', 'lobby', 'stage'])
    await overview.roomsTable.getByRole('button', { name: 'Sort by people' }).click()
    await console.screenshot('overview')
    await console.setTheme('Dark')
    await console.goTo('Overview')
    await expect(overview.room('lobby')).toBeVisible()
    await console.screenshot('overview-dark')
  })

  test('opening a room and finding a participant by search', async ({
    console,
    overview,
    room,
    connected: _connected,
  }) => {
    await console.open()
    await overview.room('lobby').click()
    await expect(room.region).toBeVisible()
    await expect(room.people).toContainText('40')
    await expect(room.region.getByRole('listitem', { name: 'red: 24' })).toBeVisible()
    await expect(room.participants).toHaveAttribute('aria-rowcount', '41')
    const wanted = userOf('lobby', 'blue', 7)
    await room.search(wanted)
    await expect(room.participantRows).toHaveCount(1)
    await expect(room.participantRows.first()).toContainText(wanted)
    await expect(room.participantRows.first()).toContainText('blue')
    await room.search('')
    await expect(room.participants).toHaveAttribute('aria-rowcount', '41')
    await console.screenshot('room')
  })

  test('exporting occupancy as CSV and checking its rows', async ({
    page,
    console,
    exporter,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Export')
    await exporter.form.getByRole('radio', { name: 'Every change' }).click()
    await exporter.form.getByRole('button', { name: 'Export CSV' }).click()
    const link = exporter.jobs.getByRole('link', { name: 'Download CSV' })
    await expect(link).toBeVisible()
    await expect(exporter.jobs.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
    await console.screenshot('export')
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    const path = await download.path()
    const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/)
    expect(lines[0]).toBe('time,room,count,gap,group:blue,group:red')
    const last = new Map<string, string[]>()
    for (const line of lines.slice(1)) {
      const cells = line.split(',')
      expect(cells[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
      last.set(cells[1] as string, cells)
    }
    // Every room, and the total across them (the engine names it *total*).
    expect([...last.keys()].sort()).toEqual([...Object.keys(CROWD), '*total*'].sort())
    expect(last.get('*total*')?.[2]).toBe(String(Object.keys(CROWD).reduce((sum, room) => sum + roomTotal(room), 0)))
    for (const [room, groups] of Object.entries(CROWD)) {
      expect(last.get(room)?.slice(2)).toEqual([String(roomTotal(room)), '', String(groups.blue), String(groups.red)])
    }
  })

  test('data is marked stale when the server goes away, and recovers when it returns', async ({
    page,
    console,
    overview,
    crowd,
    connected: _connected,
  }) => {
    await console.open()
    await expect(overview.room('lobby')).toBeVisible()
    await crowd.stop()
    await page.getByRole('tab', { name: 'Overview' }).click()
    await expect(console.staleBanner).toContainText(`Cannot reach http://127.0.0.1:${crowd.port}`, {
      timeout: 20_000,
    })
    await expect(console.staleBanner).toContainText('Last good sync at')
    await expect(console.statusBar).toContainText('stale since')
    await expect(page.locator('.live-area')).toHaveAttribute('data-stale', 'true')
    // The last known figures stay on screen, greyed, rather than dropping to zero.
    await expect(overview.room('lobby')).toContainText('40')
    await console.screenshot('stale')

    await crowd.restart()
    await console.staleBanner.getByRole('button', { name: 'Retry now' }).click()
    await expect(console.staleBanner).toBeHidden({ timeout: 15_000 })
    await expect(console.statusBar).toContainText('synced')
    await expect(page.locator('.live-area')).not.toHaveAttribute('data-stale', 'true')
  })

  test('broadcasting on sends counts a pusher-js client receives; off stops them', async ({
    page,
    console,
    broadcast,
    crowd,
    connected: _connected,
  }) => {
    const received: { room: string; count: number; groups: Record<string, number> }[] = []
    const client = new Pusher('headcount-key', {
      cluster: 'local',
      wsHost: '127.0.0.1',
      wsPort: crowd.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
    })
    try {
      const channel = client.subscribe('lobby')
      await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve()))
      channel.bind('occupancy', (data: { room: string; count: number; groups: Record<string, number> }) =>
        received.push(data),
      )

      await console.open()
      await console.goTo('Broadcast')
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'false')
      await broadcast.switch.click()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'true')
      await expect(broadcast.state).toHaveText('Broadcasting', { timeout: 15_000 })
      await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0)
      expect(received.at(-1)).toMatchObject({ room: 'lobby', count: 40, groups: { red: 24, blue: 16 } })
      await expect(broadcast.region.getByRole('region', { name: 'Payload preview' })).toContainText('"count": ')
      await expect(broadcast.region.getByRole('group', { name: 'Messages today' })).not.toContainText(
        /^Messages today0/,
      )
      await console.screenshot('broadcast')

      await broadcast.switch.click()
      await expect(broadcast.switch).toHaveAttribute('aria-checked', 'false')
      await expect(broadcast.state).toHaveText('Off')
      const seen = received.length
      await page.waitForTimeout(2_500)
      expect(received.length, 'nothing is sent once broadcasting is off').toBe(seen)
    } finally {
      client.disconnect()
    }
  })

  test('a friend CSV near the size cap imports over the socket; one over it is refused in words', async ({
    page,
    console,
    broadcast,
    connected: _connected,
  }) => {
    test.setTimeout(90_000) // a 1.1 MB message and 35,600 rows on a loaded machine
    let socketsClosed = 0
    page.on('websocket', (socket) => socket.on('close', () => socketsClosed++))
    await console.open()
    await console.goTo('Broadcast')
    // Every field quoted, as spreadsheets export it: about 890,000 characters, a 1.1 MB message.
    const rows = Array.from(
      { length: 35_600 },
      (_, i) => `"u${String(i).padStart(8, '0')}","u${String(i + 1).padStart(8, '0')}"\r\n`,
    )
    const csv = rows.join('')
    expect(csv.length).toBe(890_000)
    await broadcast.importFriends('friends.csv', csv)
    await expect(broadcast.friends.getByRole('status')).toHaveText('Imported 35,601 users and 71,200 friendships.', {
      timeout: 30_000,
    })
    await broadcast.importFriends('too-big.csv', csv + 'x'.repeat(MAX_FRIENDS_CSV_CHARS - csv.length + 1))
    await expect(broadcast.friends.getByRole('alert')).toHaveText(
      'The file has 921,601 characters; at most 921,600 (900 KB) can be imported',
    )
    expect(socketsClosed, 'the link to the server was never dropped').toBe(0)
  })

  test('settings show how channel names parse under the naming convention', async ({
    console,
    settings,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Settings')
    const section = settings.convention
    await expect(section.getByRole('textbox', { name: 'Template', exact: true })).toHaveValue(TEMPLATE)
    await section.getByLabel('Sample channel names').fill('private-lobby-red-max\nprivate-lobby\nprivate-a-b-c-d')
    const preview = section.getByRole('table', { name: 'How the samples parse' })
    await expect(preview.getByRole('row', { name: /private-lobby-red-max/ })).toContainText('lobbyredmax')
    await expect(preview.getByRole('row', { name: /^private-lobby not a participant/ })).toBeVisible()
    await expect(section.getByRole('note', { name: 'Separator warning' })).toBeVisible()
    await console.screenshot('settings-connection')
  })

  test('a regular expression that could backtrack catastrophically is refused in words before it can be saved', async ({
    console,
    settings,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Settings')
    const section = settings.convention
    await section.getByLabel('Sample channel names').fill(`private-${'a'.repeat(22)}-c\nprivate-lobby-max`)
    await settings.enterRegexConvention('^private-(?<room>(a+)+)-(?<user>b)$')
    await expect(section.getByRole('alert')).toContainText('This pattern can take exponential time')
    await expect(section.getByRole('alert')).toContainText('the part (a+)+')
    await expect(section.getByRole('button', { name: 'Save convention' })).toBeDisabled()

    await settings.conventionPattern.fill('^private-(?<room>[^-]+)-(?<user>.+)$')
    const preview = section.getByRole('table', { name: 'How the samples parse' })
    await expect(preview.getByRole('row', { name: /private-lobby-max/ })).toContainText('lobby—max')
    await expect(section.getByRole('alert')).toHaveCount(0)
    await expect(section.getByRole('button', { name: 'Save convention' })).toBeEnabled()
  })

  test('a webhook port already in use is an error in words; polls go on, and the receiver starts once it frees', async ({
    page,
    console,
    settings,
    connected: _connected,
  }) => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      await console.open()
      await console.goTo('Settings')
      const sync = settings.sync
      await sync.getByRole('radio', { name: /^Webhooks/ }).check()
      await sync.getByLabel('Webhook port').fill(String(port))
      await sync.getByLabel('Webhook address').fill('127.0.0.1')
      await sync.getByRole('button', { name: 'Save' }).click()

      const banner = page.getByRole('alert', { name: 'Webhooks are not received' })
      await expect(banner).toContainText(`127.0.0.1:${port} is already in use`)
      await expect(banner).toContainText('Polling every 5 s instead')
      await expect(console.statusBar).toContainText(`127.0.0.1:${port} is already in use`)
      await expect(sync.getByRole('alert', { name: 'Webhook receiver' })).toContainText(
        `127.0.0.1:${port} is already in use`,
      )
      // The figures stay current (polls stand in for webhooks): nothing is marked stale.
      await expect(console.staleBanner).toBeHidden()

      blocker.close()
      await expect(banner).toBeHidden({ timeout: 20_000 })
      await expect(sync.getByRole('status', { name: 'Webhook receiver' })).toContainText(
        `Receiving webhooks on 127.0.0.1:${port}`,
      )
      await expect(console.statusBar).not.toContainText('already in use')
    } finally {
      blocker.close()
    }
  })
})
