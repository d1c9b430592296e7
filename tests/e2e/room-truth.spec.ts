import { createServer } from 'node:net'
import { expect, test } from './fixtures.ts'

/** A port nothing listens on: one the system just handed out and took back. */
async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

// What a room's view lists is who is in the room, even when its counts don't move.

test.describe("a room's participants", () => {
  test('one person leaving as another of the same group arrives: the list shows the newcomer, not the one who left', async ({
    page,
    console,
    room,
    crowd,
    connected,
  }) => {
    void connected
    test.setTimeout(60_000)
    const leaver = crowd.running.inject('private-lobby-red-swap-leaver')
    await console.open()
    await page.goto('/#/rooms/lobby')
    await expect(room.people).toContainText('41')
    await room.search('swap-')
    await expect(room.participantRows).toHaveCount(1)
    await expect(room.participantRows.first()).toContainText('swap-leaver')

    // Between two syncs: the room's count (41) and its groups' (red 25, blue 16) stay as they were.
    crowd.running.removeInjected(leaver)
    crowd.running.inject('private-lobby-red-swap-arriver')
    const feed = room.region.getByRole('region', { name: 'Recent joins and leaves' })
    await expect(feed).toContainText('swap-arriverjoined', { timeout: 15_000 })
    await expect(room.participantRows.first()).toContainText('swap-arriver')
    await expect(room.participantRows).toHaveCount(1)
    await expect(room.people).toContainText('41')
  })
})

test.describe('a room before the first sync', () => {
  test('says who is there is not known yet: "—", never "nobody" or 0', async ({ page, console, room, engine }) => {
    const profile = await engine.call('profiles.save', {
      name: 'Unreachable',
      connection: {
        appId: '1',
        key: 'key',
        target: { kind: 'host', host: '127.0.0.1', port: await deadPort(), useTLS: false },
      },
      secret: 'secret',
    })
    await engine.call('connection.connect', { id: profile.id })
    await console.open()
    await page.goto('/#/rooms/lobby')
    await expect(room.heading).toHaveText('Room lobby')
    await expect(page.getByRole('alert', { name: 'Data is stale' })).toContainText('No sync has succeeded yet')
    await expect(room.people).toContainText('—')
    await expect(room.people).toContainText('not synced yet')
    await expect(room.region.getByRole('group', { name: 'Share of everyone present' })).not.toContainText('0 present')
    await expect(room.region.getByRole('group', { name: 'Groups in the room' })).toContainText('—')
    await expect(room.region.getByRole('region', { name: 'Participants' })).toContainText(
      'not known until the first sync',
    )
    await expect(room.region.getByRole('region', { name: 'Groups now' })).toContainText(
      'not known until the first sync',
    )
    await expect(room.region).not.toContainText('Nobody is')
    await expect(room.people).not.toContainText('0')
  })
})
