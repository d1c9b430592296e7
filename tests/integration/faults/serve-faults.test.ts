// A real `headcount serve` process whose Channels API stalls mid-answer still stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { FaultProxy, type FaultMode } from '../support/fault-proxy.ts'

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'headcount.mjs')
/** serve's request deadline is 10 s; a process that waits for the stalled answer never exits at all. */
const STOP_WITHIN_MS = 20_000

let child: ChildProcess | null = null
let emulator: RunningEmulator | null = null
let proxy: FaultProxy | null = null
let dataDir: string | null = null
afterEach(async () => {
  child?.kill('SIGKILL')
  child = null
  await proxy?.close()
  proxy = null
  await emulator?.close()
  emulator = null
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  dataDir = null
})

describe('headcount serve against a stalling server', () => {
  it.each<FaultMode>(['stall', 'drip'])(
    'stops on SIGTERM while a %s answer is in flight',
    async (mode) => {
      emulator = await startEmulator()
      emulator.injectMany([{ channel: 'private-lobby-ana' }, { channel: 'private-lobby-ben' }])
      proxy = await new FaultProxy(emulator.port).start()
      proxy.set(mode, { match: ({ path }) => path.endsWith('/channels'), dripBytes: 1, dripEveryMs: 1000 })
      dataDir = mkdtempSync(join(tmpdir(), 'headcount-serve-faults-'))
      const url = `http://${emulator.key}:${emulator.secret}@127.0.0.1:${proxy.port}/apps/${emulator.appId}`
      const started = spawn(process.execPath, [BIN, 'serve', '--http-port', '0', '--url', url], {
        env: { ...process.env, HEADCOUNT_DATA: dataDir },
        stdio: 'pipe',
      })
      child = started
      const stderr: string[] = []
      started.stderr?.on('data', (chunk) => stderr.push(String(chunk)))
      const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)))
      const lines = createInterface({ input: started.stdout as NodeJS.ReadableStream })
      for await (const line of lines) if (line.startsWith('Headcount web UI: ')) break

      // serve's first poll is now held by the proxy.
      for (let i = 0; proxy.holding === 0; i++) {
        if (i > 400) throw new Error(`no request reached the proxy: ${stderr.join('')}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      started.kill('SIGTERM')
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), STOP_WITHIN_MS)),
      ])
      expect(code, stderr.join('')).toBe(0)
    },
    60_000,
  )
})
