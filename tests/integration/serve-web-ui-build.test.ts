import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { copyProject, type ProjectCopy } from './helpers/project-copy.ts'

// `headcount serve` from a checkout must serve the real console: a missing or outdated UI build is
// rebuilt first, and where it cannot be, serve says what to run and exits 1. Each case runs in a copy
// of the checkout so the project's own out/ is never rebuilt under other tests.
const children: ChildProcess[] = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

function serve(root: string) {
  const { HEADCOUNT_TOKEN: _token, ...env } = process.env
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'headcount.mjs'), 'serve', '--http-port', '0', '--data', join(root, '.data')],
    { stdio: 'pipe', env },
  )
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)))
  const url = (async () => {
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      const match = /^Headcount web UI: (\S+)$/.exec(line)
      if (match) return match[1] as string
    }
    return null
  })()
  return { child, url, stderr: () => stderr }
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM')
  if (child.exitCode === null) await once(child, 'exit')
}

async function expectRealConsole(url: string | null): Promise<void> {
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
  const response = await fetch(url as string)
  const page = await response.text()
  expect(response.status).toBe(200)
  expect(page).not.toMatch(/not built/i)
  const script = /<script[^>]+src="\.?\/?(assets\/index-[\w-]+\.js)"/.exec(page)?.[1]
  expect(script, page).toBeDefined()
  expect((await fetch(new URL(script as string, url as string))).status).toBe(200)
}

describe('headcount serve in a checkout', () => {
  let project: ProjectCopy
  beforeAll(() => {
    project = copyProject()
  })
  afterAll(() => project.remove())

  it('builds a missing UI first, with one notice, and serves the real console', async () => {
    expect(existsSync(join(project.root, 'out'))).toBe(false)
    const { child, url, stderr } = serve(project.root)
    await expectRealConsole(await url)
    expect(stderr()).toMatch(/^headcount serve: the web UI is not built yet; building it now/m)
    expect(existsSync(join(project.root, 'out', 'main', 'index.js'))).toBe(true)
    await stop(child)
  })

  it('serves a current build as it is, without building', async () => {
    const index = join(project.root, 'out', 'renderer', 'index.html')
    const builtAt = statSync(index).mtimeMs
    const { child, url, stderr } = serve(project.root)
    await expectRealConsole(await url)
    expect(stderr()).not.toMatch(/building/)
    expect(statSync(index).mtimeMs).toBe(builtAt)
    await stop(child)
  })

  it('rebuilds a UI older than its sources, naming the newer source', async () => {
    const index = join(project.root, 'out', 'renderer', 'index.html')
    const source = join(project.root, 'src', 'shared', 'contract.ts')
    const builtAt = statSync(index).mtimeMs
    const later = new Date(builtAt + 60_000)
    utimesSync(source, later, later)
    const { child, url, stderr } = serve(project.root)
    await expectRealConsole(await url)
    expect(stderr()).toMatch(
      /^headcount serve: the web UI is older than its sources \(src\/shared\/contract\.ts\); building it now/m,
    )
    expect(statSync(index).mtimeMs).toBeGreaterThan(builtAt)
    // The build was swapped in whole: no staging folder is left behind.
    expect(readdirSync(join(project.root, 'out')).sort()).toEqual(['main', 'preload', 'renderer'])
    await stop(child)
  })

  it('says in one line what to run, and exits 1, where the UI cannot be built', async () => {
    const bare = copyProject({ omitModules: ['electron-vite'] })
    try {
      const { child, url, stderr } = serve(bare.root)
      const [code] = await once(child, 'exit')
      expect(await url).toBeNull()
      expect(code).toBe(1)
      expect(stderr()).toBe(
        'headcount serve: the web UI is not built yet: run `npm install && npm run build`, then serve again\n',
      )
    } finally {
      bare.remove()
    }
  })
})
