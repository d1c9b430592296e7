import { defineConfig } from '@playwright/test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Web mode is served on a fixed port for the run; its data folder is fresh each run (the variable is
// set once here and inherited by the workers, which load this file again).
const port = Number(process.env.HEADCOUNT_E2E_PORT ?? 7491)
process.env.HEADCOUNT_E2E_DATA ??= mkdtempSync(join(tmpdir(), 'headcount-e2e-'))
const baseURL = `http://127.0.0.1:${port}`

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  reporter: [['list'], ['json', { outputFile: '.test-reports/playwright.json' }]],
  projects: [
    {
      name: 'web',
      testDir: 'tests/e2e',
      use: {
        baseURL,
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          // As root in CI Chromium needs --no-sandbox; the rest keep it off a network it cannot reach.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
        trace: 'retain-on-failure',
      },
    },
    { name: 'electron', testDir: 'tests/electron' },
  ],
  webServer: {
    command: `node bin/headcount.mjs serve --http-port ${port} --data ${process.env.HEADCOUNT_E2E_DATA}`,
    url: baseURL,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
})
