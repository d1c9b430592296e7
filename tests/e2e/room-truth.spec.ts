import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectCrowd, expect, test } from './fixtures.ts'
import { EngineApi } from './support/engine-api.ts'
import { serveConsole, type ServedConsole } from './support/serve.ts'

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

test.describe('a room after a restart of the server', () => {
  let dataDir: string
  let server: ServedConsole | null = null
  test.beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'headcount-e2e-room-truth-'))
  })
  test.afterEach(async () => {
    await server?.stop()
    server = null
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('sorted by when they joined, as the list shows it: the one who came last is last', async ({
    page,
    room,
    crowd,
  }) => {
    test.setTimeout(90_000)
    server = await serveConsole({ dataDir })
    const { port, url } = server
    const engine = await EngineApi.open(url)
    await connectCrowd(engine, crowd)
    // Joins after the crowd, with a name that sorts before everyone's.
    crowd.running.inject('private-lobby-red-a-latecomer')
    await expect
      .poll(async () => (await engine.call('rooms.list')).rooms.find((r) => r.room === 'lobby')?.count, {
        timeout: 15_000,
      })
      .toBe(41)
    engine.close()
    await server.stop()
    server = await serveConsole({ dataDir, port })

    await page.goto(`${url}#/rooms/lobby?sort=joined`)
    await expect(room.participants).toHaveAttribute('aria-rowcount', '42')
    // Everyone else was there when watching began ("by"); the latecomer's join is exact, and latest.
    await expect(room.participantRows.first()).toContainText('by ')
    await room.participants.getByRole('button', { name: 'Sort by joined' }).click()
    await expect(room.participants.getByRole('columnheader', { name: 'Sort by joined' })).toHaveAttribute(
      'aria-sort',
      'descending',
    )
    await expect(room.participantRows.first()).toContainText('a-latecomer')
    await expect(room.participantRows.first()).not.toContainText('by ')
  })
})
