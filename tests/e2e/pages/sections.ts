import { expect, type Locator } from '@playwright/test'
import type { ConsolePage } from './console-page.ts'

/** The first-run choice: a one-click demo or a real connection. */
export class FirstRunSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.page.getByRole('region', { name: 'Get started' })
  }

  async startDemo(): Promise<void> {
    await this.region.getByRole('button', { name: 'Start the demo' }).click()
  }
}

export interface ConnectionFields {
  name: string
  appId: string
  key: string
  secret: string
  host: string
  port: number
  template?: string
}

export class ConnectionsSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Connections')
  }

  get form(): Locator {
    return this.region.getByRole('form', { name: /connection/i })
  }

  saved(name: string): Locator {
    return this.region.getByRole('region', { name: 'Saved connections' }).getByRole('listitem', { name })
  }

  async openNewForm(): Promise<void> {
    await this.region.getByRole('button', { name: 'Add a connection' }).first().click()
    await expect(this.form).toBeVisible()
  }

  async fill(fields: ConnectionFields): Promise<void> {
    const form = this.form
    await form.getByLabel('Name', { exact: true }).fill(fields.name)
    await form.getByLabel('App id', { exact: true }).fill(fields.appId)
    await form.getByLabel('Key', { exact: true }).fill(fields.key)
    await form.getByLabel('Secret', { exact: true }).fill(fields.secret)
    await form.getByRole('radio', { name: 'Host and port' }).check()
    await form.getByLabel('Host', { exact: true }).fill(fields.host)
    await form.getByLabel('Port', { exact: true }).fill(String(fields.port))
    await form.getByRole('checkbox', { name: 'Use TLS (https)' }).uncheck()
    if (fields.template) await form.getByLabel('Channel naming').fill(fields.template)
  }

  async test(): Promise<void> {
    await this.form.getByRole('button', { name: 'Test connection' }).click()
  }

  async saveAndConnect(): Promise<void> {
    await this.form.getByRole('button', { name: 'Save and connect' }).click()
  }
}

export class OverviewSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Overview')
  }

  figure(label: 'People present' | 'Rooms' | 'Joins per minute' | 'Leaves per minute' | 'Last sync' | 'Mode'): Locator {
    return this.region.getByRole('group', { name: label })
  }

  get roomsTable(): Locator {
    return this.region.getByRole('table', { name: 'Rooms by occupancy' })
  }

  room(name: string): Locator {
    return this.roomsTable.getByRole('row', { name: new RegExp(`^${name}: `) })
  }

  /** What the table says of every room in view, as {room: count}. */
  async visibleCounts(): Promise<Record<string, number>> {
    const labels = await this.roomsTable
      .getByRole('row')
      .evaluateAll((rows) =>
        rows.map((row) => row.getAttribute('aria-label')).filter((label): label is string => label !== null),
      )
    const counts: Record<string, number> = {}
    for (const label of labels) {
      const match = /^(.*): ([\d,]+) people(?:, on the chart)?$/.exec(label)
      if (match) counts[match[1] as string] = Number((match[2] as string).replace(/,/g, ''))
    }
    return counts
  }

  get chart(): Locator {
    return this.region.getByRole('region', { name: 'Occupancy over time' })
  }
}

export class RoomSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Rooms')
  }

  get participants(): Locator {
    return this.region.getByRole('table', { name: 'Participants of this room' })
  }

  async search(text: string): Promise<void> {
    await this.region.getByRole('searchbox', { name: 'Search participants' }).fill(text)
  }

  get participantRows(): Locator {
    return this.participants.getByRole('rowgroup').getByRole('row')
  }

  /** "Room <name>", where focus goes when a room opens. */
  get heading(): Locator {
    return this.region.getByRole('heading', { level: 1 })
  }

  get chart(): Locator {
    return this.region.getByRole('region', { name: 'Room occupancy over time' })
  }

  /** The room's figure: how many people are in it. */
  get people(): Locator {
    return this.region.getByRole('group', { name: 'People in the room' })
  }
}

export class ExportSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get form(): Locator {
    return this.console.view('Export').getByRole('form', { name: 'Export history' })
  }

  get jobs(): Locator {
    return this.console.view('Export').getByRole('region', { name: 'Exports' })
  }

  /** The rooms offered once "Chosen rooms" is on, each a checkbox. */
  get roomChoices(): Locator {
    return this.form.getByRole('list', { name: 'Rooms to export' })
  }

  /** Switches from all rooms to chosen rooms, and waits for the rooms to choose from. */
  async chooseRooms(): Promise<void> {
    await this.form.getByRole('radio', { name: 'Chosen rooms' }).check()
    await expect(this.roomChoices).toBeVisible()
  }
}

export class BroadcastSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Broadcast')
  }

  get switch(): Locator {
    return this.region.getByRole('switch', { name: 'Broadcasting' })
  }

  get state(): Locator {
    return this.region.getByLabel('Broadcaster state')
  }

  get friends(): Locator {
    return this.region.getByRole('region', { name: 'Friend rosters' })
  }

  get budget(): Locator {
    return this.region.getByRole('form', { name: 'Message budget' })
  }

  /** Chooses a friend CSV as a file and imports it. */
  async importFriends(name: string, csv: string): Promise<void> {
    await this.friends
      .getByLabel('Friend CSV file')
      .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await this.friends.getByRole('button', { name: `Import ${name}` }).click()
  }
}

export class AlertsSection {
  readonly console: ConsolePage
  constructor(console: ConsolePage) {
    this.console = console
  }

  get region(): Locator {
    return this.console.view('Alerts')
  }

  get form(): Locator {
    return this.region.getByRole('form', { name: 'Add an alert rule' })
  }

  get rules(): Locator {
    return this.region.getByRole('region', { name: 'Alert rules' })
  }

  get log(): Locator {
    return this.region.getByRole('region', { name: 'Alert log' })
  }

  /** Fills the form for "a room above N people" (nothing is added until the caller clicks). */
  async describeRoomAbove(room: string, people: number): Promise<void> {
    await this.form.getByLabel('When', { exact: true }).selectOption({ label: 'A room above a number of people' })
    await this.form.getByLabel('Room', { exact: true }).fill(room)
    await this.form.getByLabel('People', { exact: true }).fill(String(people))
  }

  async addRule(): Promise<void> {
    await this.form.getByRole('button', { name: 'Add the rule' }).click()
  }
}
