// `headcount snapshot | head`: a reader that leaves before the output ends must not turn into a crash
// with a stack trace (Node reports the closed pipe as an unhandled 'error' event); the command ends as
// it would have, with nothing on stderr.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'headcount.mjs')

let emulator: RunningEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

describe('the command line with its output closed early', () => {
  for (const format of [[], ['--json']]) {
    it(`snapshot ${format.join(' ') || '(a table)'} ends quietly with exit 0`, async () => {
      emulator = await startEmulator({ port: 0 })
      emulator.injectMany(Array.from({ length: 2_000 }, (_, i) => ({ channel: `private-room${i % 50}-user${i}` })))
      const url = `http://${emulator.key}:${emulator.secret}@127.0.0.1:${emulator.port}/apps/${emulator.appId}`
      // process.execPath is the Node running the tests (the pinned Node 24 the CLI needs).
      const child = spawn(process.execPath, [BIN, 'snapshot', '--url', url, ...format], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      // The reader is gone before the first line is written, as `head` is after its lines.
      child.stdout.destroy()
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      const [code] = await once(child, 'exit')
      expect(stderr).toBe('')
      expect(code).toBe(0)
    }, 30_000)
  }
})
