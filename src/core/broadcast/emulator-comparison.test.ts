import { describe, expect, it } from 'vitest'
import { EmulatorComparison } from './emulator-comparison.ts'
import type { ServerKind, ServerProbe } from './server-probe.ts'

/** A probe answering as `kind` with the emulator count `count()`; counts the reads. */
function probe(kind: ServerKind, count: () => number) {
  const reads = { n: 0 }
  const server: ServerProbe = {
    identify: () => Promise.resolve(kind),
    emulatorMessages: () => {
      reads.n++
      return Promise.resolve(count())
    },
  }
  return { server, reads }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('EmulatorComparison', () => {
  it('compares both counts from the first reading, at most every 5 s, and starts over when the emulator is reset', async () => {
    let clock = 1_000
    let emulator = 700
    let ours = 40
    const { server, reads } = probe('emulator', () => emulator)
    const comparison = new EmulatorComparison(
      server,
      () => clock,
      () => ours,
    )
    let known = 0
    comparison.identify(() => known++)
    expect(comparison.target).toBe('unknown')
    await settle()
    expect([comparison.target, known]).toEqual(['emulator', 1])
    const signal = new AbortController().signal
    expect(comparison.started).toBe(false)
    expect(comparison.status()).toBeNull()

    await comparison.read(signal, () => true)
    expect(comparison.status()).toEqual({ since: 1_000, at: 1_000, emulatorMessages: 0, headcountMessages: 0 })
    emulator += 101
    ours += 100
    clock += 4_000
    await comparison.read(signal, () => true)
    expect(reads.n).toBe(1)
    clock += 1_000
    await comparison.read(signal, () => true)
    expect(comparison.status()).toEqual({ since: 1_000, at: 6_000, emulatorMessages: 101, headcountMessages: 100 })

    // The emulator's counts went back: compare from here.
    emulator = 3
    clock += 5_000
    await comparison.read(signal, () => true)
    expect(comparison.status()).toEqual({ since: 11_000, at: 11_000, emulatorMessages: 0, headcountMessages: 0 })
    comparison.restart()
    expect(comparison.started).toBe(false)
  })

  it('keeps no reading that came after a switch, and reads nothing from a server that is not the emulator', async () => {
    const emulator = probe('emulator', () => 5)
    const stale = new EmulatorComparison(
      emulator.server,
      () => 0,
      () => 0,
    )
    stale.identify(() => {})
    await settle()
    await stale.read(new AbortController().signal, () => false)
    expect(stale.started).toBe(false)

    const pusher = probe('pusher', () => 5)
    const comparison = new EmulatorComparison(
      pusher.server,
      () => 0,
      () => 0,
    )
    comparison.identify(() => {})
    await settle()
    await comparison.read(new AbortController().signal, () => true)
    expect([comparison.target, pusher.reads.n, comparison.status()]).toEqual(['pusher', 0, null])
    // Without a probe the target stays unknown.
    const blind = new EmulatorComparison(
      undefined,
      () => 0,
      () => 0,
    )
    blind.identify(() => {})
    await settle()
    expect(blind.target).toBe('unknown')
  })
})
