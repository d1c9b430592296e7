import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Pusher from 'pusher'
import { afterEach, describe, expect, it } from 'vitest'
import { Crowd } from '../../../src/emulator/crowd/crowd.ts'
import { startEmulator } from '../../../src/emulator/index.ts'
import { expectedChannels, listChannels, settle, sortedEntries } from './helpers.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')

interface Run {
  child: ChildProcess
  /** The first stdout line. */
  ready: Promise<string>
  exit: Promise<{ code: number | null; stdout: string[]; stderr: string }>
}

const running = new Set<ChildProcess>()

function headcount(args: string[]): Run {
  // process.execPath is the Node running the tests (the pinned Node 24 the CLI needs).
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  const stdout: string[] = []
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const lines = createInterface({ input: child.stdout! })
  const ready = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      stdout.push(line)
      if (stdout.length === 1) resolve(line)
    })
    child.on('exit', () => reject(new Error(`exited before the ready line; stderr: ${stderr}`)))
  })
  ready.catch(() => {})
  const exit = once(child, 'exit').then(([code]) => {
    running.delete(child)
    return { code: code as number | null, stdout, stderr }
  })
  return { child, ready, exit }
}

function urlOf(readyLine: string): string {
  const match = /^Headcount emulator ready: (http:\/\/\S+) \(/.exec(readyLine)
  if (!match) throw new Error(`not a ready line: ${readyLine}`)
  return match[1]!
}

afterEach(() => {
  for (const child of running) child.kill('SIGKILL')
})

describe('headcount emulator (command line)', () => {
  it('serves the seeded crowd at the printed URL and stops on SIGTERM with exit 0', async () => {
    const run = headcount(['--port', '0', '--crowd', '500', '--rooms', '5', '--seed', '1'])
    const line = await run.ready
    expect(line).toMatch(
      /^Headcount emulator ready: http:\/\/headcount-key:headcount-secret@127\.0\.0\.1:\d+\/apps\/1 \(crowd 500 in 5 rooms, room channel \{room\}, injected, seed 1\)$/,
    )
    const api = Pusher.forURL(urlOf(line))
    // The same seed in this process builds the same crowd, so the channel set must match exactly.
    const expected = expectedChannels(new Crowd({ size: 500, rooms: 5, seed: 1 }))
    expect(sortedEntries(await listChannels(api))).toEqual(sortedEntries(expected))
    run.child.kill('SIGTERM')
    const { code, stdout, stderr } = await run.exit
    expect(code).toBe(0)
    expect(stdout).toEqual([line])
    expect(stderr).toBe('')
  })

  it('lists the same channels in a new order on every request with --shuffle-channels', async () => {
    const run = headcount(['--port', '0', '--crowd', '500', '--rooms', '5', '--seed', '2', '--shuffle-channels'])
    const line = await run.ready
    expect(line).toContain('channels listed in random order')
    const api = Pusher.forURL(urlOf(line))
    const expected = sortedEntries(expectedChannels(new Crowd({ size: 500, rooms: 5, seed: 2 })))
    const first = await listChannels(api)
    const second = await listChannels(api)
    expect(sortedEntries(first)).toEqual(expected)
    expect(sortedEntries(second)).toEqual(expected)
    // A Map keeps the body's order; two equal orders of ~500 channels by chance are out of the question.
    expect([...first.keys()]).not.toEqual([...second.keys()])
    run.child.kill('SIGTERM')
    expect((await run.exit).code).toBe(0)
  })

  it('moves the crowd on with --churn', async () => {
    const run = headcount(['--port', '0', '--crowd', '600', '--rooms', '3', '--churn', '1', '--seed', '3'])
    const line = await run.ready
    expect(line).toContain('churn 1/min')
    const api = Pusher.forURL(urlOf(line))
    const initial = new Set(expectedChannels(new Crowd({ size: 600, rooms: 3, seed: 3 })).keys())
    // At 100% a minute, about ten people a second come and go; wait until some have.
    const later = await settle(
      () => listChannels(api),
      (channels) => [...initial].filter((name) => !channels.has(name)).length >= 5,
    )
    expect([...initial].filter((name) => !later.has(name)).length).toBeGreaterThanOrEqual(5)
    expect([...later.keys()].filter((name) => !initial.has(name)).length).toBeGreaterThan(0)
    run.child.kill('SIGTERM')
    expect((await run.exit).code).toBe(0)
  })

  it('connects real pusher-js clients with --sockets and stops on SIGINT', async () => {
    const run = headcount([
      '--port',
      '0',
      '--crowd',
      '12',
      '--rooms',
      '2',
      '--groups',
      'red,blue',
      '--seed',
      '4',
      '--sockets',
      '--app-id',
      '77',
      '--key',
      'k1',
      '--secret',
      's1',
    ])
    const line = await run.ready
    expect(line).toContain('pusher-js sockets')
    const url = urlOf(line)
    expect(url).toMatch(/^http:\/\/k1:s1@127\.0\.0\.1:\d+\/apps\/77$/)
    const expected = expectedChannels(new Crowd({ size: 12, rooms: 2, groups: ['red', 'blue'], seed: 4 }))
    expect(sortedEntries(await listChannels(Pusher.forURL(url)))).toEqual(sortedEntries(expected))
    run.child.kill('SIGINT')
    expect((await run.exit).code).toBe(0)
  })

  it('writes the friend graph with --friends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'headcount-cli-friends-'))
    try {
      const file = join(dir, 'friends.csv')
      const run = headcount(['--port', '0', '--crowd', '200', '--seed', '9', '--friends', file])
      await run.ready
      run.child.kill('SIGTERM')
      expect((await run.exit).code).toBe(0)
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n')
      expect(lines[0]).toBe('user,friend')
      expect(lines.length).toBeGreaterThan(200)
      expect(lines.slice(1).every((row) => /^u\d{6},u\d{6}$/.test(row))).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    [['--crowd', 'lots'], /--crowd must be a whole number/],
    [['--sockets', '--crowd', '5000'], /--sockets opens a real connection per member/],
    [['--groups', 'a-b'], /--groups/],
    [['--churn', '5'], /--churn/],
    [['--no-such-flag'], /no-such-flag/],
  ])('exits 2 with one line for %j', async (args, reason) => {
    const { code, stdout, stderr } = await headcount(args).exit
    expect(code).toBe(2)
    expect(stdout).toEqual([])
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
  })

  it('exits 1 with a clear reason when the port is taken', async () => {
    const other = await startEmulator({ port: 0 })
    try {
      const { code, stderr } = await headcount(['--port', String(other.port)]).exit
      expect(code).toBe(1)
      expect(stderr).toMatch(new RegExp(`Port ${other.port} on 127.0.0.1 is already in use`))
    } finally {
      await other.close()
    }
  })
})
