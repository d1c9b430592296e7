import { expect, test } from './fixtures.ts'

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
