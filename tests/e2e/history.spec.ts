import { CROWD_PROFILE, expect, test } from './fixtures.ts'
import { CROWD } from './support/crowd.ts'

// What the history promises, as an operator meets it: a naming-convention change is a new reading of
// the same crowd, announced before saving and marked on the chart, not a wave of joins.

const everyone = Object.values(CROWD).reduce(
  (sum, groups) => sum + Object.values(groups).reduce((total, n) => total + n, 0),
  0,
)
const blue = Object.values(CROWD).reduce((sum, groups) => sum + (groups.blue ?? 0), 0)

test.describe('truthful history in web mode', () => {
  test('a convention change is announced, marked on the chart, and adds no joins', async ({
    page,
    console,
    overview,
    settings,
    connected: _connected,
  }) => {
    await console.open()
    await expect(overview.figure('People present')).toContainText(String(everyone))

    await console.goTo('Settings')
    const section = settings.convention
    // Only the red group's channels stay participants, read as before: the blue ones change.
    await settings.saveRegexConvention('^private-(?<room>[^-]+)-(?<group>red)-(?<user>.+)$')
    const question = section.getByRole('alertdialog', { name: 'Convention change' })
    await expect(question).toContainText(`${blue} of ${everyone} channels will be read differently`)
    await expect(question.getByRole('list', { name: 'Examples' })).toContainText('-blue-')
    await question.getByRole('button', { name: 'Save and re-read' }).click()
    await expect(section.getByRole('status')).toContainText('Saved')

    await console.goTo('Overview')
    await expect(overview.figure('People present')).toContainText(String(everyone - blue), { timeout: 15_000 })
    const marker = overview.region.locator('.chart-instant[data-kind="convention"]')
    await expect(marker).toHaveCount(1, { timeout: 20_000 })
    await expect(marker).toHaveAttribute(
      'aria-label',
      /^Naming convention changed: private-\{room\}-\{group\}-\{user\} →/,
    )
    const box = await marker.boundingBox()
    if (!box) throw new Error('the convention marker has no box')
    await page.mouse.move(box.x + 1, box.y + box.height / 2)
    await expect(overview.region.getByRole('tooltip')).toContainText('Naming convention changed')
    await console.screenshot('convention-marker')

    // Nobody joined: the same people, read anew.
    await expect(overview.figure('Joins per minute').locator('.figure-value')).toHaveText('0')
    await expect(overview.figure('Leaves per minute').locator('.figure-value')).toHaveText('0')
  })

  test('people already there when Headcount began watching show when first seen, not a made-up join', async ({
    console,
    overview,
    room,
    crowd,
    connected: _connected,
  }) => {
    await console.open()
    await overview.room('lobby').click()
    await expect(room.participants).toHaveAttribute('aria-rowcount', '41')
    // The seeded crowd was there before the first sync: joined by then, present at least this long.
    await expect(room.participantRows.first()).toContainText(/by \d{2}:\d{2}/)
    await expect(room.participantRows.first()).toContainText('≥')
    // Someone seen arriving has an exact time.
    crowd.running.inject('private-lobby-red-newcomer')
    await room.search('newcomer')
    await expect(room.participantRows).toHaveCount(1, { timeout: 15_000 })
    await expect(room.participantRows.first()).not.toContainText('≥')
    await expect(room.participantRows.first()).not.toContainText('by ')
  })

  test('a connection shows "Connected" only while its syncs succeed, and the outage is a gap with its cause', async ({
    console,
    overview,
    connections,
    crowd,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Connections')
    const card = connections.saved(CROWD_PROFILE)
    await expect(card).toContainText('Connected')
    await crowd.stop()
    await expect(card).toContainText('Sync failing', { timeout: 20_000 })
    await expect(card).not.toContainText('Connected')
    await crowd.restart()
    await expect(card).toContainText('Connected', { timeout: 20_000 })

    // The time it could not reach the app is a gap on the chart, with the failure in words.
    await console.goTo('Overview')
    const gap = overview.region.locator('.chart-span[data-kind="gap"]')
    await expect(gap).toHaveCount(1, { timeout: 15_000 })
    await expect(gap).toHaveAttribute('aria-label', /^Sync failed: .*Cannot reach/)
  })

  test('a convention that reads every live channel the same saves without asking', async ({
    console,
    settings,
    connected: _connected,
  }) => {
    await console.open()
    await console.goTo('Settings')
    const section = settings.convention
    await settings.saveRegexConvention('^private-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>.+)$')
    await expect(section.getByRole('status')).toContainText('Saved')
    await expect(section.getByRole('alertdialog')).toHaveCount(0)
  })
})
