// Screenshots of the console after the demo crowd has been watched for a while, so the README shows
// charts with history in them (the end-to-end tests take theirs seconds after connecting).
//
//   node scripts/screenshot-demo.ts [--seconds 150]
//
// Builds nothing: run `npm run build` first. Writes docs/screenshots/demo-overview.png and demo-room.png.
import { chromium } from '@playwright/test'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

const root = join(import.meta.dirname, '..')
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '150' } } })
const seconds = Number(values.seconds)
const dataDir = mkdtempSync(join(tmpdir(), 'headcount-screens-'))
const server = spawn(
  process.execPath,
  [join(root, 'bin', 'headcount.mjs'), 'serve', '--http-port', '0', '--data', dataDir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
const lines = createInterface({ input: server.stdout })
let url = ''
for await (const line of lines) {
  const match = /^Headcount web UI: (\S+)$/.exec(line)
  if (match) {
    url = match[1] as string
    break
  }
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
  await page.goto(url)
  await page.getByRole('region', { name: 'Get started' }).getByRole('button', { name: 'Start the demo' }).click()
  await page
    .getByRole('status', { name: 'Status bar' })
    .getByText(/people in \d+ rooms/)
    .waitFor({ timeout: 30_000 })
  console.log(`watching the demo crowd for ${seconds} s…`)
  await page.waitForTimeout(seconds * 1000)
  const overview = page.getByRole('tabpanel', { name: 'Overview' })
  await overview.getByRole('radio', { name: '5 min' }).first().click()
  await page.waitForTimeout(1500)
  await page.screenshot({ path: join(root, 'docs', 'screenshots', 'demo-overview.png') })
  await page.getByRole('tab', { name: 'Rooms' }).click()
  const rooms = page.getByRole('tabpanel', { name: 'Rooms' })
  await rooms.getByRole('radio', { name: '5 min' }).first().click()
  await page.waitForTimeout(1500)
  await page.screenshot({ path: join(root, 'docs', 'screenshots', 'demo-room.png') })
  console.log('wrote docs/screenshots/demo-overview.png and demo-room.png')
} finally {
  await browser.close()
  server.kill('SIGTERM')
  rmSync(dataDir, { recursive: true, force: true })
}
