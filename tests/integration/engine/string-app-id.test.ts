// Soketi's apps have ids such as app1 or app-id; Reverb and Sockudo take any string. Headcount must work
// end to end against such a server: the CLI with --url and PUSHER_URL, the engine syncing, the
// broadcaster publishing to pusher-js clients. The emulator plays the server with the id app-1.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import type { RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import { connectedEngine, FAST, Spectator } from '../broadcast/helpers.ts'
import type { EngineHarness } from './engine-harness.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
const APP_ID = 'app-1'

const children = new Set<ChildProcess>()
let emulator: RunningEmulator | undefined
const harnesses: EngineHarness[] = []
const spectators: Spectator[] = []
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
  for (const spectator of spectators.splice(0)) spectator.close()
  for (const harness of harnesses.splice(0)) await harness.close()
  await emulator?.close()
  emulator = undefined
})

/** `headcount ARGS` with the Node running the tests; resolves with its exit code and output. */
function headcount(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PUSHER_URL: '', PUSHER_APP_ID: '', PUSHER_KEY: '', PUSHER_SECRET: '', ...env },
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exit = once(child, 'exit').then(([code]) => {
    children.delete(child)
    return { code: code as number | null, stdout, stderr }
  })
  return { child, exit }
}

/** `headcount emulator ARGS`, resolved with the URL of its ready line. */
async function cliEmulator(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`the emulator exited: ${stderr}`)
    }),
  ])) as [string]
  const url = /^Headcount emulator ready: (http:\/\/\S+) \(/.exec(line)?.[1]
  if (!url) throw new Error(`not a ready line: ${line}`)
  return url
}

describe('a Pusher-compatible server whose app id is a name (app-1)', () => {
  it('headcount emulator --app-id app-1 serves it, and snapshot reads it through --url and PUSHER_URL', async () => {
    const url = await cliEmulator(['--port', '0', '--app-id', APP_ID, '--crowd', '60', '--rooms', '3', '--seed', '7'])
    expect(url).toMatch(/\/apps\/app-1$/)

    const byFlag = await headcount(['snapshot', '--url', url, '--json']).exit
    expect(byFlag.stderr).toBe('')
    expect(byFlag.code).toBe(0)
    const rooms = JSON.parse(byFlag.stdout) as { total: number; rooms: unknown[] }
    expect(rooms.total).toBe(60)
    expect(rooms.rooms).toHaveLength(3)

    const byEnv = await headcount(['snapshot', '--json'], { PUSHER_URL: url }).exit
    expect(byEnv.code).toBe(0)
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ total: 60 })

    // The id is part of every signed path: a wrong one is an unknown app, not a silent success.
    const wrong = await headcount(['snapshot', '--url', url.replace(/app-1$/, 'app-2')]).exit
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^headcount snapshot: /)
  }, 60_000)

  it('the engine syncs from it and the broadcaster publishes to pusher-js clients', async () => {
    emulator = await startEmulator({ appId: APP_ID, vacateDelayMs: 50 })
    const { harness: h, id } = await connectedEngine(emulator)
    harnesses.push(h)
    expect((await h.handlers['profiles.list'](undefined))[0]?.connection.appId).toBe(APP_ID)
    const spectator = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    spectators.push(spectator)
    await h.join(emulator, 'private-lobby-red-ana')
    await h.join(emulator, 'private-lobby-blue-ben')

    h.handlers['sync.now'](undefined)
    const rooms = await h.until(
      () => h.handlers['rooms.list'](undefined),
      (list) => list.total === 2,
      'two people synced',
    )
    expect(rooms.rooms).toMatchObject([{ room: 'lobby', count: 2, groups: { red: 1, blue: 1 } }])
    expect((await h.handlers['status.get'](undefined)).connection).toBe('connected')

    await h.handlers['broadcast.set']({ id, settings: { ...FAST, enabled: true } })
    await h.until(
      () => spectator.last<RoomSummaryPayload>('lobby'),
      (last) => last?.count === 2,
      'the lobby heard at 2',
    )
    expect(spectator.last('lobby')).toMatchObject({ room: 'lobby', count: 2, groups: { red: 1, blue: 1 } })
    expect((await h.handlers['status.get'](undefined)).broadcast).toMatchObject({ state: 'on', lastError: null })

    // profiles.test from the form, before saving: the same id through the same client.
    expect(
      await h.handlers['profiles.test']({
        connection: {
          appId: APP_ID,
          key: emulator.key,
          target: { kind: 'host', host: '127.0.0.1', port: emulator.port, useTLS: false },
        },
        secret: emulator.secret,
      }),
    ).toMatchObject({ ok: true, channels: 2 })
  }, 60_000)
})
