import { expect, type Locator, type Page } from '@playwright/test'
import { join } from 'node:path'

export type Section = 'Overview' | 'Rooms' | 'Connections' | 'Broadcast' | 'Export' | 'Alerts' | 'Settings'

/** The console's frame: navigation, the current view and the status bar, found by their ARIA roles. */
export class ConsolePage {
  readonly page: Page
  /** Where `screenshot` writes: under test-results, never into the repository. */
  private readonly screenshotDir: string
  constructor(page: Page, screenshotDir: string) {
    this.page = page
    this.screenshotDir = screenshotDir
  }

  get navigation(): Locator {
    return this.page.getByRole('navigation', { name: 'Sections' })
  }

  tab(section: Section): Locator {
    return this.navigation.getByRole('tab', { name: section })
  }

  view(section: Section): Locator {
    return this.page.getByRole('tabpanel', { name: section })
  }

  get statusBar(): Locator {
    return this.page.getByRole('status', { name: 'Status bar' })
  }

  async open(): Promise<void> {
    await this.page.goto('/')
    await expect(this.statusBar).toContainText('web mode')
  }

  async goTo(section: Section): Promise<void> {
    await this.tab(section).click()
    await expect(this.view(section)).toBeVisible()
  }

  /** A picture of the console for the README, refreshed into docs/screenshots by `npm run screenshots`. */
  async screenshot(name: string): Promise<void> {
    // The pointer rests outside the content so no hover state is captured.
    await this.page.mouse.move(0, 0)
    await this.page.screenshot({ path: join(this.screenshotDir, `${name}.png`) })
  }

  /** Copies the link to the view shown, as its button does, and reads it back from the clipboard (permission granted). */
  async copyLink(): Promise<string> {
    await this.navigation.getByRole('button', { name: 'Copy link to this view' }).click()
    await expect(this.navigation.getByRole('status')).toContainText('Copied')
    return this.page.evaluate(() => navigator.clipboard.readText())
  }

  /** The banner shown while figures may be out of date. */
  get staleBanner(): Locator {
    return this.page.getByRole('alert', { name: 'Data is stale' })
  }

  async setTheme(label: 'Follow the system' | 'Light' | 'Dark'): Promise<void> {
    await this.goTo('Settings')
    await new SettingsSection(this).theme(label).check()
    await expect(this.page.locator('html')).toHaveAttribute('data-theme', label === 'Dark' ? 'dark' : 'light')
  }
}

export class SettingsSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Settings')
  }

  theme(label: 'Follow the system' | 'Light' | 'Dark'): Locator {
    return this.region.getByRole('region', { name: 'Appearance' }).getByRole('radio', { name: label })
  }

  /** "UTC", or this computer's zone (its label starts "This computer’s"). */
  timeZone(choice: 'UTC' | 'This computer'): Locator {
    return this.region
      .getByRole('region', { name: 'Appearance' })
      .getByRole('group', { name: 'Time zone' })
      .getByRole('radio', choice === 'UTC' ? { name: 'UTC', exact: true } : { name: /^This computer/ })
  }

  get convention(): Locator {
    return this.region.getByRole('region', { name: 'Naming convention' })
  }

  get conventionPattern(): Locator {
    return this.convention.getByRole('textbox', { name: 'Pattern', exact: true })
  }

  /** Switches the naming convention to a regular expression and types it, without saving. */
  async enterRegexConvention(pattern: string): Promise<void> {
    await this.convention.getByRole('radio', { name: 'Regular expression' }).check()
    await this.conventionPattern.fill(pattern)
  }

  /** Types a regular-expression convention and saves it; what follows (a question, "Saved") is the caller's. */
  async saveRegexConvention(pattern: string): Promise<void> {
    await this.enterRegexConvention(pattern)
    await this.convention.getByRole('button', { name: 'Save convention' }).click()
  }

  get sync(): Locator {
    return this.region.getByRole('form', { name: 'Sync' })
  }

  get retention(): Locator {
    return this.region.getByRole('form', { name: 'History retention' })
  }

  async saveRetention(rawDays: string, rollupDays: string): Promise<void> {
    await this.retention.getByLabel('Raw samples, days').fill(rawDays)
    await this.retention.getByLabel('One-minute roll-ups, days').fill(rollupDays)
    await this.retention.getByRole('button', { name: 'Save' }).click()
  }

  get about(): Locator {
    return this.region.getByRole('region', { name: 'About' })
  }
}
