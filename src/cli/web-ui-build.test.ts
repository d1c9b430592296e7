import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureWebUi, webUiState } from './web-ui-build.ts'

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A folder laid out like a checkout (or a package), each file stamped with its age in seconds. */
function layout(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'headcount-ui-'))
  roots.push(root)
  const now = Date.now() / 1000
  for (const [path, ageSeconds] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), '')
    utimesSync(join(root, path), now - ageSeconds, now - ageSeconds)
  }
  return root
}

describe('webUiState', () => {
  it('is missing in a checkout that was never built', () => {
    expect(webUiState(layout({ 'src/renderer/index.html': 10 }))).toEqual({ state: 'missing' })
  })

  it('is current when the build is newer than every source', () => {
    const root = layout({
      'src/renderer/index.html': 100,
      'src/renderer/src/app.tsx': 90,
      'src/shared/contract.ts': 80,
      'electron.vite.config.ts': 70,
      'out/renderer/index.html': 10,
    })
    expect(webUiState(root)).toEqual({ state: 'current' })
  })

  it('is stale when any source, deep or shared, is newer than the build, and names it', () => {
    const base = { 'src/renderer/index.html': 100, 'out/renderer/index.html': 50 }
    expect(webUiState(layout({ ...base, 'src/renderer/src/views/deep/room.tsx': 5 }))).toEqual({
      state: 'stale',
      changed: join('src', 'renderer', 'src', 'views', 'deep', 'room.tsx'),
    })
    expect(webUiState(layout({ ...base, 'src/shared/contract.ts': 5 }))).toEqual({
      state: 'stale',
      changed: join('src', 'shared', 'contract.ts'),
    })
    expect(webUiState(layout({ ...base, 'electron.vite.config.ts': 5 }))).toEqual({
      state: 'stale',
      changed: 'electron.vite.config.ts',
    })
  })

  it('ignores sources that are not the UI', () => {
    const root = layout({ 'src/renderer/index.html': 100, 'out/renderer/index.html': 50, 'src/core/engine.ts': 1 })
    expect(webUiState(root)).toEqual({ state: 'current' })
  })

  it('is packaged where there are no sources to build from', () => {
    expect(webUiState(layout({ 'out/renderer/index.html': 10 }))).toEqual({ state: 'packaged' })
    expect(webUiState(layout({ 'out/cli/main.js': 10 }))).toEqual({ state: 'packaged' })
  })
})

describe('ensureWebUi', () => {
  it('accepts a package with its UI, without a word', async () => {
    const notices: string[] = []
    await ensureWebUi(layout({ 'out/renderer/index.html': 10 }), (line) => notices.push(line))
    expect(notices).toEqual([])
  })

  it('refuses a package without its UI, in words, rather than serve a placeholder', async () => {
    const root = layout({ 'out/cli/main.js': 10 })
    await expect(ensureWebUi(root, () => {})).rejects.toThrow(/this installation has no web UI .*reinstall/)
  })

  it('says what to run in a checkout where electron-vite is not installed', async () => {
    const root = layout({ 'src/renderer/index.html': 100, 'out/renderer/index.html': 50, 'src/shared/a.ts': 1 })
    await expect(ensureWebUi(root, () => {})).rejects.toThrow(
      'the web UI is older than its sources (src/shared/a.ts): run `npm install && npm run build`, then serve again',
    )
  })
})
