import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CROWD_PROFILE, expect, test } from './fixtures.ts'

/** Every file under the data folder, relative to it. */
const filesIn = (dataDir: string) =>
  readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((entry) => statSync(join(dataDir, entry)).isFile())

test.describe('deleting a connection', () => {
  test('the confirmation says the history stays; afterwards the data folder holds nothing else of it', async ({
    console,
    connections,
    server,
    engine,
    connected: id,
  }) => {
    // Each kind of file kept for a connection: a friend graph, and the broadcaster's spend (with a budget
    // it is written before every send).
    await engine.call('friends.import', { id, csv: 'user,friend\nann,bob\n', mutual: true })
    await engine.call('broadcast.set', {
      id,
      settings: { enabled: true, intervalMs: 200, budget: { messagesPerDay: 1_000_000, plan: null } },
    })
    const spend = join(server.dataDir, 'broadcast', `${id}.spend.json`)
    await expect.poll(() => existsSync(spend), { timeout: 15_000 }).toBe(true)
    expect(existsSync(join(server.dataDir, 'friends', `${id}.json`))).toBe(true)

    await console.open()
    await console.goTo('Connections')
    const card = connections.saved(CROWD_PROFILE)
    await card.getByRole('button', { name: 'Delete' }).click()
    const confirmation = card.getByRole('group', { name: `Delete ${CROWD_PROFILE}?` })
    await expect(confirmation).toContainText('Its history stays.')
    await confirmation.getByRole('button', { name: 'Delete' }).click()
    await expect(card).toHaveCount(0)

    await expect
      .poll(() => filesIn(server.dataDir).filter((file) => file.includes(id) && !file.startsWith('history')))
      .toEqual([])
    expect(filesIn(server.dataDir)).toContain(join('history', `${id}.sqlite`))
    expect(readFileSync(join(server.dataDir, 'settings.json'), 'utf8')).not.toContain(id)
  })
})
