import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiSocket } from './helpers/web-mode.ts'
import { copyProject, type ProjectCopy } from './helpers/project-copy.ts'

// The npm package for headless hosts, as an operator gets it: `npm pack` of a copy of the checkout
// (prepack builds the CLI bundle and the web UI), `npm install` of the tarball into an empty folder,
// then the installed `headcount` command run by Node 24 against its own emulator.

/** Node 24 (this test's own runtime) first in PATH, so the bin's `#!/usr/bin/env node` finds it. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
}
delete env.HEADCOUNT_TOKEN
delete env.HEADCOUNT_DATA

interface PackResult {
  filename: string
  size: number
  unpackedSize: number
  files: { path: string }[]
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 })
  expect(result.status, `${command} ${args.join(' ')}\n${result.stderr}`).toBe(0)
  return result.stdout
}

/** Starts a long-running command and resolves with the first stdout line matching `ready`. */
async function start(command: string, args: string[], cwd: string, ready: RegExp) {
  const child = spawn(command, args, { cwd, env, stdio: 'pipe' })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)))
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const match = ready.exec(line)
    if (match) return { child, match }
  }
  throw new Error(`${command} ${args.join(' ')} exited before it was ready: ${stderr}`)
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  return code as number | null
}

describe('the npm package for headless hosts', () => {
  let project: ProjectCopy
  let work: string
  let app: string
  let packed: PackResult
  let headcount: string

  beforeAll(() => {
    project = copyProject()
    work = mkdtempSync(join(tmpdir(), 'headcount-npm-'))
    const stdout = run('npm', ['pack', '--json', '--pack-destination', work], project.root)
    // prepack's build log comes first on stdout; npm's JSON report is the last thing printed.
    const report = JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as PackResult[]
    packed = report[0] as PackResult
    app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'headless-host', private: true }))
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], app)
    headcount = join(app, 'node_modules', '.bin', 'headcount')
  }, 240_000)

  afterAll(() => {
    project?.remove()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('packs only what runs: the bin, the built CLI, the participant libraries and the built web UI', () => {
    const paths = packed.files.map((file) => file.path).sort()
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/headcount.mjs',
        'out/cli/main.js',
        'out/lib/participant/index.js',
        'out/lib/participant/index.d.ts',
        'out/lib/authorizer/index.js',
        'out/renderer/index.html',
      ]),
    )
    const other = paths.filter(
      (path) =>
        !path.startsWith('out/cli/') &&
        !path.startsWith('out/lib/') &&
        !path.startsWith('out/renderer/') &&
        !['bin/headcount.mjs', 'package.json', 'README.md', 'LICENSE'].includes(path),
    )
    expect(other).toEqual([])
    // Type declarations are the only TypeScript shipped.
    expect(paths.filter((path) => /\.(ts|map)$/.test(path) && !path.endsWith('.d.ts'))).toEqual([])
  })

  it('lets an app server import the participant client and the authorizer by their package names', () => {
    const probe = join(app, 'probe.mjs')
    writeFileSync(
      probe,
      `const participant = await import('headcount/participant')\n` +
        `const authorizer = await import('headcount/authorizer')\n` +
        `console.log(typeof participant.joinRoom, typeof participant.formatCount, typeof authorizer.createAuthorizer)\n`,
    )
    expect(run(process.execPath, [probe], app).trim()).toBe('function function function')
  })

  it('installs without Electron, without sources, with only the runtime dependencies', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'headcount', 'package.json'), 'utf8'))
    expect(installed.private).toBeUndefined()
    expect(installed.dependencies).not.toHaveProperty('electron')
    expect(installed.optionalDependencies ?? {}).not.toHaveProperty('electron')
    expect(installed.peerDependenciesMeta).toEqual({ electron: { optional: true } })
    expect(existsSync(join(app, 'node_modules', 'electron'))).toBe(false)
    expect(existsSync(join(app, 'node_modules', 'headcount', 'src'))).toBe(false)
    for (const name of Object.keys(installed.dependencies as Record<string, string>))
      expect(existsSync(join(app, 'node_modules', name, 'package.json')), name).toBe(true)
    expect(run(headcount, ['--version'], app).trim()).toBe(installed.version)
  })

  // The machine's own Node, where it is older than 22.18 (Debian's 20 here), shows the refusal.
  const systemNode = '/usr/bin/node'
  const systemVersion = existsSync(systemNode)
    ? spawnSync(systemNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    : ''
  const [major = 0, minor = 0] = systemVersion.split('.').map(Number)
  it.skipIf(!systemVersion || major > 22 || (major === 22 && minor >= 18))(
    `refuses, in one line, to run on a Node older than 22.18 (${systemVersion || 'none on this machine'})`,
    () => {
      const refused = spawnSync(
        systemNode,
        [join(app, 'node_modules', 'headcount', 'bin', 'headcount.mjs'), '--version'],
        {
          encoding: 'utf8',
        },
      )
      expect(refused.status).toBe(1)
      expect(refused.stderr).toBe(
        `headcount: Node ${systemVersion} is too old; Headcount needs Node 22.18 or newer (install a newer Node.js)\n`,
      )
    },
  )

  it('runs emulator, snapshot, serve and export from the installed command', async () => {
    const emulator = await start(
      headcount,
      ['emulator', '--port', '0', '--crowd', '30', '--rooms', '3', '--seed', '7'],
      app,
      /^Headcount emulator ready: (\S+)/,
    )
    const pusherUrl = emulator.match[1] as string

    const snapshot = JSON.parse(run(headcount, ['snapshot', '--url', pusherUrl, '--json'], app))
    expect(snapshot).toMatchObject({ total: 30, channels: 30, unmatched: 0 })
    expect(snapshot.rooms).toHaveLength(3)

    const data = join(work, 'data')
    const serve = await start(
      headcount,
      ['serve', '--url', pusherUrl, '--http-port', '0', '--data', data],
      app,
      /^Headcount web UI: (http:\/\/127\.0\.0\.1:(\d+)\/)$/,
    )
    const [, pageUrl, port] = serve.match as unknown as [string, string, string]
    const page = await fetch(pageUrl)
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(html).toContain('<div id="root">')
    const script = /src="\.?\/?(assets\/index-[\w-]+\.js)"/.exec(html)?.[1]
    expect((await fetch(new URL(script as string, pageUrl))).status).toBe(200)

    // The console's own contract, over its WebSocket: the served engine watches the emulator's crowd.
    const api = await ApiSocket.open(`ws://127.0.0.1:${port}/api`, { Origin: `http://127.0.0.1:${port}` })
    let total = 0
    for (let call = 1; call <= 100 && total !== 30; call++) {
      const frame = (await api.call(call, 'rooms.list')) as { result: { ok: boolean; value?: { total: number } } }
      total = frame.result.value?.total ?? 0
      if (total !== 30) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    api.close()
    expect(total).toBe(30)
    expect(await stop(serve.child)).toBe(0)

    const csv = join(work, 'occupancy.csv')
    run(headcount, ['export', '--data', data, '--resolution', 'raw', '--out', csv], app)
    const rows = readFileSync(csv, 'utf8').trim().split(/\r?\n/)
    expect(rows[0]).toBe('time,room,count,gap')
    expect(rows.some((row) => /,\*total\*,30,$/.test(row))).toBe(true)
    expect(await stop(emulator.child)).toBe(0)
  })
})
