import { expect, test } from './fixtures.ts'
import { ConsolePage, SettingsSection } from './pages/console-page.ts'
import { BroadcastSection } from './pages/sections.ts'

// Two operators (or two tabs) on the same serve: what one saves, the other shows without a reload,
// and what the other was typing and had not saved yet is not thrown away.

test.describe('two tabs on one server', () => {
  test('a setting saved in one tab shows in the other, and an edit not yet saved there is kept', async ({
    page,
    context,
    console,
    settings,
    connected,
  }) => {
    void connected
    await console.open()
    const other = new ConsolePage(await context.newPage(), '')
    const otherSettings = new SettingsSection(other)
    await other.open()

    // Sync interval: the other tab's form follows the save.
    await console.goTo('Settings')
    await other.goTo('Settings')
    const sync = settings.sync
    const otherSync = otherSettings.sync
    const interval = 'Poll every, seconds (1–300)'
    await expect(otherSync.getByLabel(interval)).toHaveValue('5')
    await sync.getByLabel(interval).fill('7')
    await sync.getByRole('button', { name: 'Save' }).click()
    await expect(sync.getByRole('status')).toHaveText('Saved')
    await expect(otherSync.getByLabel(interval)).toHaveValue('7')
    await expect(otherSync).toBeVisible()

    // The naming convention: one that reads every live channel the same saves without asking, and
    // the other tab's form shows it.
    const pattern = '^private-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>.+)$'
    await settings.saveRegexConvention(pattern)
    await expect(settings.convention.getByRole('status')).toContainText('Saved')
    await expect(otherSettings.convention.getByRole('radio', { name: 'Regular expression' })).toBeChecked()
    await expect(otherSettings.conventionPattern).toHaveValue(pattern)

    // An edit in progress in the other tab survives a save of something else, and of the same form.
    await otherSync.getByLabel(interval).fill('9')
    await sync.getByLabel(interval).fill('11')
    await sync.getByRole('button', { name: 'Save' }).click()
    await expect(sync.getByRole('status')).toHaveText('Saved')
    await expect(otherSync.getByLabel(interval)).toHaveValue('9')

    // The message budget: the other tab's Broadcast panel shows the plan chosen here.
    await console.goTo('Broadcast')
    await other.goTo('Broadcast')
    const budget = new BroadcastSection(console).budget
    const otherBudget = new BroadcastSection(other).budget
    await budget.getByLabel('Daily budget').selectOption({ label: 'Pro: 4,000,000 a day' })
    await budget.getByRole('button', { name: 'Save budget' }).click()
    await expect(budget.getByRole('status')).toHaveText('Budget: 4,000,000 messages a day (Pro)')
    await expect(other.view('Broadcast').getByRole('group', { name: 'Budget' })).toContainText('of 4M')
    await expect(otherBudget.getByLabel('Daily budget')).toHaveValue('pro')

    // Preferences: the time zone chosen here is the other tab's too.
    await console.goTo('Settings')
    await settings.timeZone('UTC').check()
    await other.goTo('Overview')
    await expect(other.view('Overview').getByRole('region', { name: 'Occupancy over time' })).toContainText('UTC')
    void page
  })
})
