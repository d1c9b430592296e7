import { test as base, expect } from '@playwright/test'
import { join } from 'node:path'
import { ConsolePage, SettingsSection } from './pages/console-page.ts'
import {
  AlertsSection,
  BroadcastSection,
  ConnectionsSection,
  ExportSection,
  FirstRunSection,
  OverviewSection,
  RoomSection,
} from './pages/sections.ts'
import { CrowdServer, TEMPLATE } from './support/crowd.ts'
import { EngineApi } from './support/engine-api.ts'
import { ConsoleServers, serveConsole, type ServedConsole } from './support/serve.ts'
import { makeSelfSignedCertificate, type TestCertificate } from '../support/certificates.ts'

/** The saved connection the `connected` fixture makes, as the journeys name it. */
export const CROWD_PROFILE = 'Local emulator'

/** The token of the `teamServer` fixture. */
export const TEAM_TOKEN = 'team-token-e2e-0123456789'

/** A team's shared `headcount serve`: TLS with a self-signed certificate made for the test, and a token. */
export interface TeamServer {
  server: ServedConsole
  certificate: TestCertificate
  /** Its engine over its API socket (wss, the token as a bearer token, the test certificate trusted). */
  engine: EngineApi
}

interface ConsoleFixtures {
  /** This test's own `headcount serve`, on a free port over a fresh data folder; the page's base URL. */
  server: ServedConsole
  /** The engine of that server, over its API socket, for setting a test up. */
  engine: EngineApi
  /** An emulator with the seeded crowd (support/crowd.ts) on a free port. */
  crowd: CrowdServer
  /** The crowd saved as a connection and connected, its first sync done; the profile's id. */
  connected: string
  console: ConsolePage
  firstRun: FirstRunSection
  connections: ConnectionsSection
  overview: OverviewSection
  room: RoomSection
  exporter: ExportSection
  broadcast: BroadcastSection
  settings: SettingsSection
  alerts: AlertsSection
  /** This test's own team server (TLS and a token), with the seeded crowd saved and connected. */
  teamServer: TeamServer
}

type EngineCaller = Pick<EngineApi, 'call'>

/** Saves the seeded crowd as a connection on an engine, connects it, and waits for its first sync. */
export async function connectCrowd(engine: EngineCaller, crowd: CrowdServer): Promise<string> {
  const profile = await engine.call('profiles.save', {
    name: CROWD_PROFILE,
    connection: {
      appId: crowd.running.appId,
      key: crowd.running.key,
      target: { kind: 'host', host: '127.0.0.1', port: crowd.port, useTLS: false },
    },
    secret: crowd.running.secret,
    convention: { kind: 'template', template: TEMPLATE },
  })
  await engine.call('connection.connect', { id: profile.id })
  await expect
    .poll(async () => (await engine.call('status.get')).sync?.lastSuccessAt ?? null, { timeout: 15_000 })
    .not.toBeNull()
  return profile.id
}

/**
 * Each test gets its own server and data folder, so no test depends on what another left behind and
 * any one can run alone. Screenshots go to test-results/screenshots/ (npm run screenshots copies them
 * into docs/screenshots for the README).
 */
export const test = base.extend<ConsoleFixtures, { servers: ConsoleServers }>({
  servers: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const servers = new ConsoleServers()
      await use(servers)
      await servers.close()
    },
    { scope: 'worker' },
  ],
  server: async ({ servers }, use) => {
    const server = await servers.take()
    await use(server)
    await server.stop()
  },
  baseURL: async ({ server }, use) => use(server.url),
  engine: async ({ server }, use) => {
    const engine = await EngineApi.open(server.url)
    await use(engine)
    engine.close()
  },
  // eslint-disable-next-line no-empty-pattern -- as above
  crowd: async ({}, use) => {
    const crowd = await CrowdServer.start()
    await use(crowd)
    await crowd.stop()
  },
  connected: async ({ engine, crowd }, use) => {
    await use(await connectCrowd(engine, crowd))
  },
  teamServer: async ({ crowd }, use) => {
    const certificate = await makeSelfSignedCertificate()
    const server = await serveConsole({ token: TEAM_TOKEN, tls: certificate })
    const engine = await EngineApi.open(server.url, { ca: certificate.cert })
    await connectCrowd(engine, crowd)
    await use({ server, certificate, engine })
    engine.close()
    await server.stop()
    certificate.remove()
  },
  console: async ({ page }, use, testInfo) => {
    await use(new ConsolePage(page, join(testInfo.project.outputDir, 'screenshots')))
  },
  firstRun: async ({ console }, use) => use(new FirstRunSection(console)),
  connections: async ({ console }, use) => use(new ConnectionsSection(console)),
  overview: async ({ console }, use) => use(new OverviewSection(console)),
  room: async ({ console }, use) => use(new RoomSection(console)),
  exporter: async ({ console }, use) => use(new ExportSection(console)),
  broadcast: async ({ console }, use) => use(new BroadcastSection(console)),
  settings: async ({ console }, use) => use(new SettingsSection(console)),
  alerts: async ({ console }, use) => use(new AlertsSection(console)),
})

export { expect }
