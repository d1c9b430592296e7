#!/usr/bin/env node
// `npm run example`: the whole pattern on one machine. The embedded Pusher emulator with a small
// crowd, Headcount syncing it and broadcasting the room counts (`headcount serve --broadcast`), and
// the app server of server.mjs, whose page joins a room with headcount/participant.
//
//   npm run example -- [--port 7470] [--crowd 120] [--rooms 3] [--churn 0.2] [--seed 1]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createAppServer } from './server.mjs'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7470' },
    crowd: { type: 'string', default: '120' },
    rooms: { type: 'string', default: '3' },
    churn: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
  },
})

const headcount = fileURLToPath(new URL('../../bin/headcount.mjs', import.meta.url))
const children = []
const dataDir = mkdtempSync(join(tmpdir(), 'headcount-example-'))

/** Starts `headcount <args>` and resolves with its first stdout line (its ready line). */
function start(args) {
  const child = spawn(process.execPath, [headcount, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`headcount ${args[0]} exited (${code}): ${stderr.trim()}`)))
  })
}

function stop() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  rmSync(dataDir, { recursive: true, force: true })
}
process.once('SIGINT', () => process.exit(0))
process.once('SIGTERM', () => process.exit(0))
process.once('exit', stop)

try {
  const emulatorLine = await start([
    'emulator',
    '--port',
    '0',
    '--crowd',
    values.crowd,
    '--rooms',
    values.rooms,
    '--churn',
    values.churn,
    '--seed',
    values.seed,
    '--vacate-delay',
    '1000',
  ])
  const pusherUrl = /^Headcount emulator ready: (\S+)/.exec(emulatorLine)?.[1]
  if (pusherUrl === undefined) throw new Error(`unexpected emulator output: ${emulatorLine}`)
  const consoleLine = await start(['serve', '--url', pusherUrl, '--broadcast', '--http-port', '0', '--data', dataDir])

  const rooms = Array.from({ length: Number(values.rooms) }, (_, i) => `room${i + 1}`)
  const server = createAppServer({ pusherUrl, rooms })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(Number(values.port), '127.0.0.1', resolve)
  })
  console.log(`Participant example: http://127.0.0.1:${server.address().port}/`)
  console.log(`  Pusher (emulator): ${emulatorLine.replace(/^Headcount emulator ready: /, '')}`)
  console.log(`  ${consoleLine.replace(/^Headcount web UI/, 'Headcount console')}`)
  console.log('  Ctrl-C stops everything.')
} catch (error) {
  console.error(`example: ${error.message}`)
  process.exit(1)
}
