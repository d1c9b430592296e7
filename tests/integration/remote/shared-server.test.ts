import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../../src/core/engine.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import {
  EngineHost,
  SHARED_SERVER_TOKEN_KEY,
  type EngineChoice,
  type EngineChoiceStore,
} from '../../../src/core/remote/engine-host.ts'
import { MemorySecretStore } from '../../../src/core/secret-store.ts'
import { FileSettingsStore } from '../../../src/core/settings-store.ts'
import type { EventName, EventPayload, MethodName, MethodResult } from '../../../src/shared/contract.ts'
import type { EngineSwitchResult, EngineView } from '../../../src/shared/engine-choice.ts'
import type { Envelope } from '../../../src/shared/envelope.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { startCrowd, TEMPLATE, CROWD, roomTotal } from '../../e2e/support/crowd.ts'
import { EngineApi } from '../../e2e/support/engine-api.ts'
import { serveConsole, type ServedConsole } from '../../e2e/support/serve.ts'
import { makeSelfSignedCertificate, type TestCertificate } from '../../support/certificates.ts'
import { FaultProxy } from '../support/fault-proxy.ts'

const TOKEN = 'the-team-token-0123456789'

const roomCounts = (snapshot: MethodResult<'rooms.list'>) =>
  Object.fromEntries(snapshot.rooms.map((room) => [room.room, room.count]))
const CROWD_COUNTS = Object.fromEntries(Object.keys(CROWD).map((room) => [room, roomTotal(room)]))

let certificate: TestCertificate
let stranger: TestCertificate
let crowd: RunningEmulator
let served: ServedConsole
let serverApi: EngineApi

/** The server's own view, as its web UI gets it: over its API socket, with the token. */
async function serverCall<M extends MethodName>(method: M): Promise<MethodResult<M>> {
  return serverApi.call(method)
}

function crowdConnection(port: number) {
  return {
    appId: crowd.appId,
    key: crowd.key,
    target: { kind: 'host' as const, host: '127.0.0.1', port, useTLS: false },
  }
}

beforeAll(async () => {
  certificate = await makeSelfSignedCertificate()
  stranger = await makeSelfSignedCertificate()
  crowd = await startCrowd()
  served = await serveConsole({ token: TOKEN, tls: certificate })
  serverApi = await EngineApi.open(served.url, { ca: certificate.cert })
  const profile = await serverApi.call('profiles.save', {
    name: 'Team app',
    connection: crowdConnection(crowd.port),
    secret: crowd.secret,
    convention: { kind: 'template', template: TEMPLATE },
  })
  await serverApi.call('connection.connect', { id: profile.id })
  // The whole crowd, not only its rooms: the tests compare counts with it (and fail here, saying so).
  await until(
    () => serverCall('rooms.list'),
    (snapshot) => isDeepStrictEqual(roomCounts(snapshot), CROWD_COUNTS),
    'the whole crowd on the server',
  )
}, 60_000)

afterAll(async () => {
  serverApi?.close()
  await served?.stop()
  await crowd?.close()
  certificate?.remove()
  stranger?.remove()
})

class MemoryChoices implements EngineChoiceStore {
  written: EngineChoice[] = []
  private current: EngineChoice = { shown: 'local', server: null }
  read(): EngineChoice {
    return this.current
  }
  write(choice: EngineChoice): void {
    this.current = structuredClone(choice)
    this.written.push(this.current)
  }
}

interface Desk {
  host: EngineHost
  choices: MemoryChoices
  secrets: MemorySecretStore
  heard: { event: EventName; payload: unknown }[]
  /** Every local engine the host made, in order. */
  locals: Engine[]
  call<M extends MethodName>(method: M, input?: unknown): Promise<Envelope<MethodResult<M>>>
  close(): Promise<void>
}

const desks: Desk[] = []
const folders: string[] = []
afterEach(async () => {
  for (const desk of desks.splice(0)) await desk.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** A desktop console's main process, minus Electron: its own engine, settings and secrets, and the host. */
async function openDesk(shared: { choices?: MemoryChoices; secrets?: MemorySecretStore } = {}): Promise<Desk> {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-desk-'))
  folders.push(dataDir)
  const choices = shared.choices ?? new MemoryChoices()
  const secrets = shared.secrets ?? new MemorySecretStore()
  const settings = new FileSettingsStore(join(dataDir, 'settings.json'), silentLogger)
  const locals: Engine[] = []
  const host = new EngineHost({
    createLocal: () => {
      const engine = new Engine({ version: '0.0.0-desk', runtime: 'electron', dataDir, settings, secrets, demo: null })
      locals.push(engine)
      return engine
    },
    choices,
    secrets,
    shellHandlers: { 'export.saveAs': () => ({ savedTo: null }), 'export.saveFile': () => ({ savedTo: null }) },
    remoteTuning: { retryDelaysMs: [100, 200, 400] },
  })
  const heard: Desk['heard'] = []
  host.events.onAny((event, payload) => heard.push({ event, payload }))
  await host.start()
  const desk: Desk = {
    host,
    choices,
    secrets,
    heard,
    locals,
    call: (method, input) => host.dispatch(method, input) as never,
    close: () => host.close(),
  }
  desks.push(desk)
  return desk
}

async function value<M extends MethodName>(desk: Desk, method: M, input?: unknown): Promise<MethodResult<M>> {
  const answer = await desk.call(method, input)
  if (!answer.ok) throw new Error(`${method} failed: ${answer.error.message}`)
  return answer.value
}

async function until<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  let current = await read()
  for (let i = 0; i < 600 && !accept(current); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    current = await read()
  }
  if (!accept(current)) throw new Error(`no ${what}: ${JSON.stringify(current).slice(0, 400)}`)
  return current
}

const useRemote = (desk: Desk, input: object) => value(desk, 'engine.useRemote', input)

describe('a desktop console opening a shared server over TLS with a token', () => {
  it('asks to trust the self-signed certificate, then shows the same rooms as the server’s own web UI', async () => {
    const desk = await openDesk()
    expect((await value(desk, 'engine.get')).shown).toEqual({ kind: 'local' })

    // First contact: the certificate is not trusted by this computer; nothing switches, and the
    // operator is shown what to compare with the fingerprint the server printed.
    const first = await useRemote(desk, { url: served.url })
    expect(first).toMatchObject({
      outcome: 'untrusted-certificate',
      certificate: { fingerprint: served.fingerprint, subject: 'localhost', reason: 'it is self-signed' },
    })
    expect((first as Extract<EngineSwitchResult, { outcome: 'untrusted-certificate' }>).message).toMatch(
      /does not trust the server's certificate \(it is self-signed\)\. Its SHA-256 fingerprint is [0-9A-F:]{95}: compare it/,
    )
    expect((await value(desk, 'engine.get')).shown.kind).toBe('local')

    // The operator compared it and trusts it: the console now shows the shared server.
    const switched = await useRemote(desk, { url: served.url, fingerprint: certificate.fingerprint })
    const port = new URL(served.url).port
    expect(switched).toEqual({
      outcome: 'switched',
      engine: {
        shell: 'desktop',
        shown: { kind: 'remote', url: `wss://127.0.0.1:${port}`, state: 'connected', problem: null },
        saved: { url: `https://127.0.0.1:${port}`, fingerprint: certificate.fingerprint, hasToken: true },
      },
    })
    const rooms = await value(desk, 'rooms.list')
    expect(roomCounts(rooms)).toEqual(roomCounts(await serverCall('rooms.list')))
    expect(roomCounts(rooms)).toEqual(CROWD_COUNTS)
    expect(await value(desk, 'app.info')).toMatchObject({ runtime: 'web', version: expect.any(String) })

    // The engine's events reach the console: a settings change made by another operator arrives.
    await serverApi.call('settings.update', { theme: 'dark' })
    await until(
      () => desk.heard.find((entry) => entry.event === 'settings.changed'),
      (entry) => (entry?.payload as EventPayload<'settings.changed'> | undefined)?.theme === 'dark',
      'settings.changed event from the shared server',
    )
    await serverApi.call('settings.update', { theme: 'system' })
    // Ticks come with the server's reading and number, so the console places them on the snapshot.
    expect(rooms.stream).toEqual(expect.any(String))
    await serverApi.call('sync.now')
    const relayed = await until(
      () => desk.heard.find((entry) => entry.event === 'tick'),
      (entry) => entry !== undefined,
      'tick from the shared server',
    )
    const tick = relayed?.payload as EventPayload<'tick'>
    expect(tick.stream).toBe(rooms.stream)
    expect(tick.seq).toBeGreaterThanOrEqual(rooms.seq)

    // Remembered: the address and the pinned certificate in the settings, the token only in the secret store.
    expect(desk.choices.read()).toEqual({
      shown: 'remote',
      server: { url: `https://127.0.0.1:${port}`, fingerprint: certificate.fingerprint },
    })
    expect(JSON.stringify(desk.choices.written)).not.toContain(TOKEN)
    expect(await desk.secrets.get(SHARED_SERVER_TOKEN_KEY)).toBe(TOKEN)
    // Nothing the renderer can receive carries the token: not the engine view, not any event.
    expect(JSON.stringify(await value(desk, 'engine.get'))).not.toContain(TOKEN)
    expect(JSON.stringify(desk.heard)).not.toContain(TOKEN)
  })

  it('refuses a wrong token in words and keeps showing this computer’s engine', async () => {
    const desk = await openDesk()
    const base = served.url.replace(/\?.*$/, '')
    const answer = await desk.call('engine.useRemote', {
      url: base,
      token: 'not-the-token',
      fingerprint: certificate.fingerprint,
    })
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringMatching(/^The server refused the access token/) },
    })
    const noToken = await desk.call('engine.useRemote', { url: base, fingerprint: certificate.fingerprint })
    expect(noToken).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^The server asks for an access token/) },
    })
    expect((await value(desk, 'engine.get')).shown).toEqual({ kind: 'local' })
    expect(desk.choices.written).toEqual([])
    expect(await desk.secrets.has(SHARED_SERVER_TOKEN_KEY)).toBe(false)
    expect(await value(desk, 'status.get')).toMatchObject({ connection: 'disconnected' })
  })

  it('refuses a certificate that is not the one pinned, in words', async () => {
    const desk = await openDesk()
    const answer = await useRemote(desk, { url: served.url, fingerprint: stranger.fingerprint })
    expect(answer).toMatchObject({
      outcome: 'untrusted-certificate',
      certificate: { fingerprint: certificate.fingerprint },
      message: expect.stringMatching(
        new RegExp(
          `^The server's certificate is not the one trusted for it: it presents SHA-256 ${certificate.fingerprint}, not ${stranger.fingerprint}\\.`,
        ),
      ),
    })
    expect((await value(desk, 'engine.get')).shown.kind).toBe('local')
  })

  it('refuses an unreachable server in words, and an address in clear beyond this computer', async () => {
    const desk = await openDesk()
    const closedPort = await import('../engine/engine-harness.ts').then(({ freePort }) => freePort())
    expect(await desk.call('engine.useRemote', { url: `https://127.0.0.1:${closedPort}`, token: 'x' })).toMatchObject({
      ok: false,
      error: {
        message: `Nothing answers at wss://127.0.0.1:${closedPort} (connection refused): is headcount serve running there, on that port?`,
      },
    })
    expect(await desk.call('engine.useRemote', { url: 'http://headcount.example:7480', token: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/must be reached over TLS/) },
    })
  })

  it('stops this computer’s engine while the shared server is shown, and switches back without a restart', async () => {
    // This desk's own engine watches the same app through a proxy that counts its polls.
    const proxy = await new FaultProxy(crowd.port).start()
    try {
      const desk = await openDesk()
      const profile = await value(desk, 'profiles.save', {
        name: 'Same app, from this desk',
        connection: crowdConnection(proxy.port),
        secret: crowd.secret,
        convention: { kind: 'template', template: TEMPLATE },
        sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
      })
      await value(desk, 'connection.connect', { id: profile.id })
      await until(
        () => proxy.seen.length,
        (polls) => polls >= 2,
        'polls from the local engine',
      )

      await useRemote(desk, { url: served.url, fingerprint: certificate.fingerprint })
      // Once its connections are closed (idle keep-alive ones within seconds), every request the stopped
      // engine sent has reached the proxy (one sent just before stopping may arrive after the switch
      // returns): the count starts there.
      await until(
        () => proxy.connections,
        (open) => open === 0,
        'the local engine’s connections to the app closed',
      )
      const pollsAtSwitch = proxy.seen.length
      // Three poll intervals: the local engine, had it kept running, would have polled three times.
      await new Promise((resolve) => setTimeout(resolve, 3000))
      expect(proxy.seen.length).toBe(pollsAtSwitch)

      const heardBefore = desk.heard.length
      const local = await value(desk, 'engine.useLocal')
      expect(local.shown).toEqual({ kind: 'local' })
      expect(local.saved).toMatchObject({ fingerprint: certificate.fingerprint, hasToken: true })
      expect(desk.locals).toHaveLength(2)
      // Back on this computer's engine: it resumes its own last connection and polls again.
      await until(
        () => proxy.seen.length,
        (polls) => polls > pollsAtSwitch,
        'polls after switching back',
      )
      expect(await value(desk, 'status.get')).toMatchObject({ profile: 'Same app, from this desk' })
      expect(desk.heard.slice(heardBefore).some((entry) => entry.event === 'engine')).toBe(true)
      expect(desk.choices.read().shown).toBe('local')
    } finally {
      await proxy.close()
    }
  }, 30_000)

  it('reopens the shared server at the next start, without starting this computer’s engine', async () => {
    const first = await openDesk()
    await useRemote(first, { url: served.url, fingerprint: certificate.fingerprint })
    await first.close()

    const again = await openDesk({ choices: first.choices, secrets: first.secrets })
    expect(again.locals).toHaveLength(0)
    const view = await until(
      () => value(again, 'engine.get'),
      (current: EngineView) => current.shown.kind === 'remote' && current.shown.state === 'connected',
      'connected shared server',
    )
    expect(view.shown).toMatchObject({ kind: 'remote', problem: null })
    expect(roomCounts(await value(again, 'rooms.list'))).toEqual(roomCounts(await serverCall('rooms.list')))
  })

  it('downloads a finished export from the shared server for "Save as"', async () => {
    const desk = await openDesk()
    await useRemote(desk, { url: served.url, fingerprint: certificate.fingerprint })
    const now = Date.now()
    const started = await value(desk, 'export.start', {
      kind: 'occupancy',
      rooms: [],
      from: now - 3_600_000,
      to: now + 60_000,
      resolution: 'raw',
    })
    await until(
      () => desk.heard.filter((entry) => entry.event === 'export.progress').map((entry) => entry.payload),
      (progress) =>
        progress.some(
          (item) =>
            (item as { id: string; state: string }).id === started.id && (item as { state: string }).state === 'done',
        ),
      'a finished export',
    )
    const target = join(mkdtempSync(join(tmpdir(), 'headcount-saved-')), 'occupancy.csv')
    folders.push(join(target, '..'))
    const files = desk.host.exportFiles()
    expect(await files.nameOf(started.id)).toMatch(/\.csv$/)
    await files.saveTo(started.id, target)
    expect(readFileSync(target, 'utf8')).toMatch(/^[^\r\n]*room[^\r\n]*\r\n/)
    await expect(files.nameOf('no-such-export')).rejects.toMatchObject({ message: /not finished on the shared server/ })
  })
})

describe('a shared server that goes away', () => {
  it('is retried while it is down, and refused in words when it comes back with another token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-restart-'))
    folders.push(dataDir)
    let server = await serveConsole({ token: TOKEN, tls: certificate, dataDir })
    try {
      const desk = await openDesk()
      await useRemote(desk, { url: server.url, fingerprint: certificate.fingerprint })
      const port = server.port
      await server.stop()
      const lost = await until(
        () => value(desk, 'engine.get'),
        (view: EngineView) => view.shown.kind === 'remote' && view.shown.state === 'retrying',
        'a retrying link',
      )
      expect(lost.shown).toMatchObject({
        problem: expect.stringMatching(/^The connection to the shared server was lost/),
      })
      // Attempts to reconnect fail while it is down: the problem says what they meet, and still that the
      // link was lost (it used to say only the former after the first retry, 100 ms in).
      const attempted = await until(
        () => value(desk, 'engine.get'),
        (view: EngineView) => view.shown.kind === 'remote' && /Nothing answers/.test(view.shown.problem ?? ''),
        'a failed attempt to reconnect',
      )
      expect(attempted.shown).toMatchObject({
        state: 'retrying',
        problem: expect.stringMatching(
          /^The connection to the shared server was lost\. Nothing answers at wss:\/\/127\.0\.0\.1:\d+ \(connection refused\): is headcount serve running there, on that port\?; trying again…$/,
        ),
      })
      expect(await desk.call('rooms.list')).toMatchObject({
        ok: false,
        error: {
          code: 'transport',
          message: expect.stringMatching(/^Not connected to the shared server wss:\/\/127\.0\.0\.1:\d+: /),
        },
      })

      server = await serveConsole({ token: 'a-new-token-after-restart', tls: certificate, dataDir, port })
      const refused = await until(
        () => value(desk, 'engine.get'),
        (view: EngineView) => view.shown.kind === 'remote' && view.shown.state === 'refused',
        'a refused link',
      )
      expect(refused.shown).toMatchObject({ problem: expect.stringMatching(/^The server refused the access token/) })
    } finally {
      await server.stop()
    }
  }, 30_000)
})
