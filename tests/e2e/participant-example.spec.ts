import { expect, test } from '@playwright/test'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Pusher from 'pusher'

// The participant example as someone trying it would: `npm run example` (the emulator with a crowd,
// `headcount serve --broadcast`, the app server with headcount/authorizer), then its page in Chromium,
// which joins a room with headcount/participant and shows the count Headcount broadcasts.

const root = join(import.meta.dirname, '..', '..')
let example: ChildProcess | null = null
let pageUrl = ''
let pusherUrl = ''

test.beforeAll(async () => {
  // What `npm run example` does first: build the package's library entries.
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.lib.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  if (build.status !== 0) throw new Error(`npm run build:lib failed: ${build.stdout}${build.stderr}`)
  const child = spawn(
    process.execPath,
    [join(root, 'examples', 'participant', 'run.mjs'), '--port', '0', '--crowd', '60', '--rooms', '3', '--churn', '0'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  example = child
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const lines: string[] = []
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line)
      if (lines.length === 2) resolve()
    })
    child.once('exit', (code) => reject(new Error(`the example exited (${code}): ${stderr}`)))
  })
  pageUrl = /^Participant example: (\S+)$/.exec(lines[0] ?? '')?.[1] ?? ''
  pusherUrl = /Pusher \(emulator\): (\S+)/.exec(lines[1] ?? '')?.[1] ?? ''
  if (pageUrl === '' || pusherUrl === '') throw new Error(`unexpected example output: ${lines.join('\n')}`)
})

test.afterAll(async () => {
  if (example !== null && example.exitCode === null) {
    const exited = once(example, 'exit')
    example.kill('SIGTERM')
    await exited
  }
})

/** Own channels in a room, as the app's Pusher account lists them. */
async function peopleIn(room: string): Promise<string[]> {
  const response = await Pusher.forURL(pusherUrl).get({
    path: '/channels',
    params: { filter_by_prefix: `private-${room}-` },
  })
  return Object.keys(((await response.json()) as { channels: Record<string, unknown> }).channels)
}

test('a participant signs in, joins a room and sees the broadcast count include them', async ({ page }) => {
  test.setTimeout(120_000)
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))

  await page.goto(pageUrl)
  await page.getByLabel('Your name').fill('tester')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByTestId('user')).toHaveText('tester')

  const before = await peopleIn('room1')
  expect(before.length).toBeGreaterThan(0)
  expect(before).not.toContain('private-room1-tester')
  await page.getByTestId('room').selectOption('room1')
  await page.getByTestId('join').click()
  await expect(page.getByTestId('status')).toHaveText('Joined: you are counted, and you hear the room.')
  expect(await peopleIn('room1')).toContain('private-room1-tester')

  // Headcount polls every 5 s and publishes within a second of seeing the change.
  await expect(page.getByTestId('count')).toHaveText(String(before.length + 1), { timeout: 45_000 })
  await expect(page.getByTestId('as-of')).toContainText('As of')
  // serve --broadcast has no friend graph: the page says there is no roster, not that nobody is here.
  await expect(page.getByTestId('friends-note')).toContainText('No roster yet')

  await page.getByTestId('leave').click()
  await expect(page.getByTestId('status')).toHaveText('You left the room.')
  await expect.poll(() => peopleIn('room1'), { timeout: 15_000 }).not.toContain('private-room1-tester')
  expect(errors).toEqual([])
})

test('the app server refuses to sign somebody else’s channel', async ({ request }) => {
  const login = await request.post(`${pageUrl}login`, { data: { name: 'mallory' } })
  expect(login.ok()).toBe(true)
  const refused = await request.post(`${pageUrl}pusher/auth`, {
    form: { socket_id: '1.2', channel_name: 'private-room1-tester' },
  })
  expect(refused.status()).toBe(403)
  expect(await refused.json()).toEqual({ error: "private-room1-tester is tester's channel in room room1, not yours" })
})
