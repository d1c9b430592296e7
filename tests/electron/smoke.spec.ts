import { _electron as electron, expect, test } from '@playwright/test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { findElectronBinary } from '../../src/cli/electron-binary.ts'

const root = join(import.meta.dirname, '..', '..')
const binary = findElectronBinary()

// Electron's binary cannot be downloaded on machines without internet access; everything else is
// tested in web mode there. Where the binary exists, this drives the real desktop app.
test.skip(!binary.available, `Electron binary not available: ${binary.available ? '' : binary.reason}`)

test('the desktop app opens a sandboxed window whose console reaches the engine over IPC', async () => {
  if (!binary.available) return
  test.skip(!existsSync(join(root, 'out', 'main', 'index.js')), 'the app is not built (npm run build)')
  const app = await electron.launch({ executablePath: binary.path, args: [root] })
  try {
    const window = await app.firstWindow()
    await expect(window.getByRole('navigation', { name: 'Sections' })).toBeVisible()
    await expect(window.getByRole('status', { name: 'Status bar' })).toContainText('desktop')
    await window.getByRole('tab', { name: 'Settings' }).click()
    await expect(window.getByRole('region', { name: 'About' })).toContainText('Desktop (Electron')
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
    expect(
      await window.evaluate(() => Object.keys((globalThis as { headcount?: object }).headcount ?? {}).sort()),
    ).toEqual(['invoke', 'subscribe'])
  } finally {
    await app.close()
  }
})
