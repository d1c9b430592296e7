import { describe, expect, it } from 'vitest'
import { main } from './main.ts'
import { packageVersion } from './package-info.ts'
import type { CommandIO } from './usage.ts'

function capture(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env: {} }
}

describe('headcount CLI', () => {
  it('prints help and the version with exit code 0', async () => {
    const io = capture()
    expect(await main(['--help'], io)).toBe(0)
    expect(io.stdout.join('\n')).toMatch(/Usage: headcount \[command\]/)
    expect(io.stdout.join('\n')).toMatch(/serve /)
    const version = capture()
    expect(await main(['--version'], version)).toBe(0)
    expect(version.stdout).toEqual([packageVersion()])
  })

  it("prints a command's own help", async () => {
    const io = capture()
    expect(await main(['serve', '--help'], io)).toBe(0)
    expect(io.stdout.join('\n')).toMatch(/--http-port N/)
  })

  it('exits 2 with one line on bad usage', async () => {
    const unknown = capture()
    expect(await main(['launch'], unknown)).toBe(2)
    expect(unknown.stderr).toEqual(['headcount: unknown command "launch" (see headcount --help)'])
    const badFlag = capture()
    expect(await main(['serve', '--colour', 'red'], badFlag)).toBe(2)
    expect(badFlag.stderr[0]).toMatch(/^headcount serve: Unknown option '--colour'/)
    const badPort = capture()
    expect(await main(['serve', '--http-port', 'eighty'], badPort)).toBe(2)
    expect(badPort.stderr[0]).toMatch(/--http-port must be a port number/)
  })

  it('refuses a bad flag to the default command before saying anything else', async () => {
    const io = capture()
    expect(await main(['--bogus'], io)).toBe(2)
    expect(io.stdout).toEqual([])
    expect(io.stderr).toEqual([expect.stringMatching(/^headcount desktop: Unknown option '--bogus'/)])
  })

  it('says plainly that a flag needs its value when the value starts with a dash', async () => {
    const io = capture()
    expect(await main(['snapshot', '--timeout', '-1'], io)).toBe(2)
    expect(io.stderr).toEqual([
      "headcount snapshot: --timeout needs a value (write one that starts with '-' as --timeout=-1) (see headcount snapshot --help)",
    ])
  })

  it('snapshot refuses a regex that can backtrack catastrophically before contacting anyone', async () => {
    const io = capture()
    const url = 'http://key:secret@127.0.0.1:9/apps/1'
    expect(await main(['snapshot', '--url', url, '--regex', '^private-(?<room>(a+)+)-(?<user>b)$'], io)).toBe(2)
    expect(io.stderr[0]).toMatch(/^headcount snapshot: This pattern can take exponential time/)
  }, 60_000)
})
