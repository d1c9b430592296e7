import { expect, test } from './fixtures.ts'

// Bad input typed or chosen by an operator: refused in words beside the field, nothing typed lost.

test.describe('bad input on forms', () => {
  test('a custom range refuses garbage, a backwards window and one that starts after now, keeping what was typed', async ({
    console,
    overview,
    connected,
  }) => {
    void connected
    await console.open()
    await overview.chart.getByRole('radio', { name: 'Custom' }).click()
    const custom = overview.chart.getByRole('group', { name: 'Custom range' })
    const caption = overview.chart.locator('.range-caption')
    const show = async (from: string, to: string) => {
      await custom.getByLabel('From').fill(from)
      await custom.getByLabel('To').fill(to)
      await custom.getByRole('button', { name: 'Show' }).click()
    }
    await show('garbage', 'now')
    await expect(custom.getByRole('alert')).toHaveText(
      'From: "garbage" is not a time: write YYYY-MM-DD HH:MM, with :SS if you like, or now',
    )
    await show('2026-11-30 10:00', '2026-11-30 09:00')
    await expect(custom.getByRole('alert')).toHaveText('"From" must be before "to"')
    await show('2999-01-01 00:00', '3000-01-01 00:00')
    await expect(custom.getByRole('alert')).toHaveText('"From" must be before now: nothing later is known yet')
    await expect(custom.getByLabel('From')).toHaveValue('2999-01-01 00:00')
    await expect(custom.getByLabel('To')).toHaveValue('3000-01-01 00:00')
    // Nothing was applied meanwhile.
    await expect(caption).toHaveText('Last 1 h, live')
  })

  test('a friend CSV: wrong columns listed by line, BOM and CRLF read, an empty or far too big file refused before reading', async ({
    console,
    broadcast,
    connected,
  }) => {
    void connected
    await console.open()
    await console.goTo('Broadcast')
    const choose = (name: string, bytes: Buffer) =>
      broadcast.friends.getByLabel('Friend CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: bytes })
    await broadcast.importFriends('three.csv', 'user,friend\nana,ben,cy\n')
    const errors = broadcast.friends.getByRole('alert', { name: 'Import errors' })
    await expect(errors).toContainText('Nothing was imported: 1 bad row.')
    await expect(errors).toContainText('line 2: expected 2 columns (user,friend), found 3')
    await broadcast.importFriends('windows.csv', '\uFEFFuser,friend\r\nana,ben\r\nben,cy\r\n')
    await expect(broadcast.friends.getByRole('status')).toHaveText('Imported 3 users and 4 friendships.')

    await choose('empty.csv', Buffer.alloc(0))
    await expect(broadcast.friends.getByRole('alert')).toHaveText(
      'empty.csv is empty: choose a CSV of user,friend rows',
    )
    await choose('huge.csv', Buffer.alloc(4_000_000, 'a,b\n'))
    await expect(broadcast.friends.getByRole('alert')).toHaveText('huge.csv is 4.0 MB; at most 900 KB can be imported')
    await expect(broadcast.friends.getByLabel('Friend CSV', { exact: true })).toHaveValue('')
    // The graph imported before is still there.
    await expect(broadcast.friends).toContainText('3 users and 4 friendships, imported')
  })
})
