import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import type { RoomSummaryPayload } from '../../../src/shared/broadcast.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { client, connected, eventually, subscribed } from '../emulator/helpers.ts'
import { Spectator } from './helpers.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
const children: ChildProcess[] = []
const dirs: string[] = []
let emulator: RunningEmulator | undefined
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const cleanup of cleanups.splice(0)) cleanup()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  await emulator?.close()
  emulator = undefined
})

function serve(args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'headcount-serve-broadcast-'))
  dirs.push(dataDir)
  const child = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', ...args], {
    env: { ...process.env, HEADCOUNT_DATA: dataDir },
    stdio: 'pipe',
  })
  children.push(child)
  const stderr: string[] = []
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
  return { child, stderr, dataDir }
}

describe('headcount serve --broadcast', () => {
  it('broadcasts for the connection given and remembers the choice with its profile', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    const participant = client(emulator)
    cleanups.push(() => participant.disconnect())
    await connected(participant)
    await subscribed(participant, 'private-lobby-ana')
    const spectator = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    cleanups.push(() => spectator.close())

    const { child, dataDir } = serve(['--url', emulator.url, '--broadcast'])
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
    const line = (await lines.next()).value as string
    expect(line).toMatch(/^Headcount web UI: http:\/\/127\.0\.0\.1:\d+\/$/)
    const heard = await eventually(() => spectator.last<RoomSummaryPayload>('lobby'), 50)
    expect(heard).toMatchObject({ room: 'lobby', count: 1, groups: {} })

    const settings = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      profiles: Array<{ name: string; broadcast: { enabled: boolean } }>
    }
    expect(settings.profiles.find((profile) => profile.name === 'Command line')?.broadcast.enabled).toBe(true)
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(0)
  })

  it('takes --budget as a plan or a number, keeps it with the connection, and refuses anything else in words', async () => {
    emulator = await startEmulator({ vacateDelayMs: 50 })
    const participant = client(emulator)
    cleanups.push(() => participant.disconnect())
    await connected(participant)
    await subscribed(participant, 'private-lobby-ana')
    const spectator = await Spectator.watch(emulator, ['lobby'], 'occupancy')
    cleanups.push(() => spectator.close())

    const { child, dataDir } = serve(['--url', emulator.url, '--broadcast', '--budget', 'growth-plus'])
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
    expect((await lines.next()).value).toMatch(/^Headcount web UI: /)
    // One person is a small room: exact even under a budget.
    const heard = await eventually(() => spectator.last<RoomSummaryPayload>('lobby'), 50)
    expect(heard).toMatchObject({ room: 'lobby', count: 1 })
    expect(heard?.approx).toBeUndefined()
    const settings = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      profiles: Array<{ name: string; broadcast: { budget: unknown } }>
    }
    expect(settings.profiles.find((profile) => profile.name === 'Command line')?.broadcast.budget).toEqual({
      messagesPerDay: 90_000_000,
      plan: 'growth-plus',
    })
    child.kill('SIGTERM')
    await once(child, 'exit')

    const refused = serve(['--url', emulator.url, '--budget', 'lots'])
    const [code] = (await once(refused.child, 'exit')) as [number]
    expect(code).not.toBe(0)
    expect(refused.stderr.join('')).toMatch(/--budget: "lots" is neither a number of messages a day .* nor a plan/)
  })

  it('refuses --broadcast without a connection, in one line', async () => {
    const { child, stderr } = serve(['--broadcast'])
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(1)
    expect(stderr.join('')).toMatch(/--broadcast needs a connection/)
  })
})
