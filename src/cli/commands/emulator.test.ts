import { describe, expect, it } from 'vitest'
import { main } from '../main.ts'
import type { CommandIO } from '../usage.ts'
import { DEFAULT_EMULATOR_PORT, parseEmulatorArgs, readyLine } from './emulator.ts'

function capture(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env: {} }
}

describe('headcount emulator flags', () => {
  it('has documented defaults', () => {
    const config = parseEmulatorArgs([])
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: DEFAULT_EMULATOR_PORT,
      appId: '1',
      key: 'headcount-key',
      secret: 'headcount-secret',
      webhooks: [],
      crowd: 0,
      rooms: 10,
      groups: undefined,
      churn: 0,
      twoDevices: 0,
      sockets: false,
      shuffleChannels: false,
      vacateDelayMs: undefined,
      presenceLimit: undefined,
      roomChannel: '{room}',
      cacheTtlMs: 1_800_000,
      friendsFile: undefined,
    })
    expect(Number.isInteger(config.seed)).toBe(true)
  })

  it('reads every flag', () => {
    const config = parseEmulatorArgs([
      '--port',
      '0',
      '--listen',
      '0.0.0.0',
      '--app-id',
      '42',
      '--key',
      'k',
      '--secret',
      's3cr3t',
      '--webhook',
      'http://127.0.0.1:9000/hook',
      '--webhook',
      'https://example.com/h',
      '--crowd',
      '500',
      '--rooms',
      '5',
      '--groups',
      'red,blue',
      '--skew',
      '0.8',
      '--churn',
      '0.1',
      '--two-devices',
      '.05',
      '--seed',
      '7',
      '--vacate-delay',
      '0',
      '--presence-limit',
      '1000',
      '--room-channel',
      'private-cache-{room}',
      '--cache-ttl',
      '5',
      '--friends',
      'friends.csv',
      '--sockets',
      '--shuffle-channels',
    ])
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      appId: '42',
      key: 'k',
      secret: 's3cr3t',
      webhooks: ['http://127.0.0.1:9000/hook', 'https://example.com/h'],
      crowd: 500,
      rooms: 5,
      groups: ['red', 'blue'],
      skew: 0.8,
      churn: 0.1,
      twoDevices: 0.05,
      seed: 7,
      vacateDelayMs: 0,
      presenceLimit: 1000,
      roomChannel: 'private-cache-{room}',
      cacheTtlMs: 5000,
      sockets: true,
      shuffleChannels: true,
    })
    expect(config.friendsFile).toMatch(/\/friends\.csv$/)
  })

  it("takes an app id that is a name, as Soketi's app-1", () => {
    expect(parseEmulatorArgs(['--app-id', 'app-1']).appId).toBe('app-1')
    expect(parseEmulatorArgs(['--app-id', 'My_App.2']).appId).toBe('My_App.2')
  })

  it('takes --room-channel none for members on their own channel only', () => {
    expect(parseEmulatorArgs(['--room-channel', 'none']).roomChannel).toBeNull()
  })

  it.each([
    [['--room-channel', 'lobby'], /--room-channel "lobby": The channel template needs a \{room\} placeholder/],
    [['--room-channel', '{room}-{user}'], /--room-channel .*Unknown placeholder \{user\}/],
    [['--room-channel', 'private-encrypted-{room}'], /--room-channel .*Encrypted/],
    [['--cache-ttl', '0'], /--cache-ttl must be a whole number from 1/],
    [['--cache-ttl', '1.5'], /--cache-ttl/],
    [['--port', '70000'], /--port/],
    [['--port', 'x'], /--port/],
    [['--listen', 'not an address'], /--listen/],
    [['--app-id', 'app/1'], /--app-id: App id is 1 to 100 letters/],
    [['--app-id', '..'], /--app-id: App id can't be/],
    [['--key', 'a:b'], /--key/],
    [['--secret', ''], /--secret/],
    [['--webhook', 'ftp://x'], /--webhook/],
    [['--webhook', 'nonsense'], /--webhook/],
    [['--crowd', '-1'], /--crowd/],
    [['--crowd', '1.5'], /--crowd/],
    [['--crowd', '2000000'], /--crowd/],
    [['--rooms', '0'], /--rooms/],
    [['--groups', 'red,red'], /--groups: group "red" is listed twice/],
    [['--groups', 'red-team'], /--groups/],
    [['--groups', 'red,'], /--groups/],
    [['--skew', '-1'], /--skew/],
    [['--churn', '2'], /--churn/],
    [['--churn', 'lots'], /--churn/],
    [['--two-devices', '1.5'], /--two-devices/],
    [['--seed', '-3'], /--seed/],
    [['--seed', '4294967296'], /--seed/],
    [['--vacate-delay', '1e3'], /--vacate-delay/],
    [['--presence-limit', '0'], /--presence-limit/],
    [['--friends', ''], /--friends/],
    [['--sockets', '--crowd', '5000'], /--sockets .* at most 1000/],
    [['--bogus'], /bogus/],
    [['stray'], /stray/],
  ])('refuses %j', (args, reason) => {
    expect(() => parseEmulatorArgs(args)).toThrow(reason)
  })

  it('exits 2 with a one-line reason on bad usage, before starting anything', async () => {
    const io = capture()
    expect(await main(['emulator', '--crowd', 'many'], io)).toBe(2)
    expect(io.stdout).toEqual([])
    expect(io.stderr).toHaveLength(1)
    expect(io.stderr[0]).toMatch(/^headcount emulator: --crowd must be a whole number .*see headcount emulator --help/)
  })

  it('documents itself in --help and in the overview', async () => {
    const io = capture()
    expect(await main(['emulator', '--help'], io)).toBe(0)
    const help = io.stdout.join('\n')
    for (const flag of [
      '--port',
      '--listen',
      '--app-id',
      '--key',
      '--secret',
      '--webhook',
      '--crowd',
      '--rooms',
      '--groups',
      '--churn',
      '--seed',
      '--vacate-delay',
      '--presence-limit',
      '--room-channel',
      '--cache-ttl',
      '--friends',
      '--sockets',
      '--shuffle-channels',
    ]) {
      expect(help).toContain(flag)
    }
    const overview = capture()
    await main(['--help'], overview)
    expect(overview.stdout.join('\n')).toMatch(/emulator\s+Run a local Pusher Channels emulator/)
  })

  it('prints one ready line with the URL first', () => {
    const url = 'http://headcount-key:headcount-secret@127.0.0.1:6001/apps/1'
    expect(readyLine(url, parseEmulatorArgs([]))).toBe(`Headcount emulator ready: ${url} (no crowd)`)
    expect(
      readyLine(
        url,
        parseEmulatorArgs(['--crowd', '10000', '--rooms', '20', '--seed', '3', '--groups', 'a,b', '--churn', '0.1']),
      ),
    ).toBe(
      `Headcount emulator ready: ${url} (crowd 10000 in 20 rooms, groups a,b, room channel {room}, churn 0.1/min, injected, seed 3)`,
    )
    expect(readyLine(url, parseEmulatorArgs(['--crowd', '5', '--seed', '1', '--room-channel', 'none']))).toBe(
      `Headcount emulator ready: ${url} (crowd 5 in 10 rooms, no room channel, injected, seed 1)`,
    )
    expect(readyLine(url, parseEmulatorArgs(['--shuffle-channels']))).toBe(
      `Headcount emulator ready: ${url} (no crowd, channels listed in random order)`,
    )
  })
})
