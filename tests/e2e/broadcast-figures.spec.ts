import { expect, test } from './fixtures.ts'

// The Broadcast panel's figures with nothing sent: what can't be measured is not a 0.

test.describe("the Broadcast panel's figures", () => {
  test('before any request, events per batch are not shown as 0.0', async ({ console, broadcast, connected }) => {
    void connected
    await console.open()
    await console.goTo('Broadcast')
    await expect(broadcast.switch).not.toBeChecked()
    const published = broadcast.region.getByRole('group', { name: 'Events published' })
    await expect(published).toContainText('0.0 req/s')
    await expect(published).not.toContainText('per batch')
  })
})
