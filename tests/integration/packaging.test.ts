import { extractAll, listPackage, statFile } from '@electron/asar'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { Arch, build, Platform, type Configuration } from 'electron-builder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import builderConfig from '../../electron-builder.config.ts'
import { copyProject, PROJECT_ROOT, type ProjectCopy } from './helpers/project-copy.ts'

// The desktop package, built by electron-builder up to app.asar (the Linux `dir` target) from a copy of
// the checkout, with a stand-in Electron distribution: the real binary can't be downloaded here. What
// needs the real binary (flipping fuses, signing, the installers themselves) is kept in the real
// configuration and checked below only where the binary exists.

/** A fuse's byte in the binary: ASCII '0' off, '1' on (@electron/fuses does not export its enum). */
const FUSE_OFF = '0'.charCodeAt(0)
const FUSE_ON = '1'.charCodeAt(0)
/** Packages that only carry type declarations: dependencies of `pusher`'s typings, never loaded. */
const TYPES_ONLY = (name: string) => name.startsWith('@types/') || name === 'undici-types'
/**
 * recheck's Java archive and native agents: the desktop app leaves them out (an agent can't be spawned
 * from inside app.asar, and Java is not there to run the archive), and recheck falls back to its worker.
 */
const LEFT_OUT_OF_DESKTOP = (name: string) => /^recheck-(jar|linux|macos|windows)/.test(name)
/** Each would be a sign that dev dependencies leaked in. */
const DEV_ONLY = ['react', 'react-dom', 'vite', 'electron', 'electron-store', 'typescript', 'vitest', 'recharts']

function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>
  }
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => !TYPES_ONLY(name) && !LEFT_OUT_OF_DESKTOP(name))
    .sort()
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
}

/** The bare module names a bundle's top-level import statements name (not Node built-ins). */
function bareImports(bundle: string): string[] {
  const statement = /^(?:import|export)\b[^\n'"]*?(?:\bfrom\s*)?["']([^"'.][^"']*)["'];?$/gm
  const names = new Set<string>()
  // Loaded on first use (recheck, for regex conventions): `import("name")` calls in the bundle.
  const loadedLater = /\bimport\("([^"./][^"]*)"\)/g
  const source = readFileSync(bundle, 'utf8')
  for (const match of [...source.matchAll(statement), ...source.matchAll(loadedLater)])
    if (!(match[1] as string).startsWith('node:')) names.add(match[1] as string)
  return [...names].sort()
}

/** A folder shaped like Electron's Linux distribution, with a script where the binary would be. */
function standInElectron(dir: string): string {
  mkdirSync(join(dir, 'resources'), { recursive: true })
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n')
  chmodSync(join(dir, 'electron'), 0o755)
  writeFileSync(join(dir, 'version'), 'v45.5.0')
  writeFileSync(join(dir, 'LICENSE'), 'stand-in')
  writeFileSync(join(dir, 'LICENSES.chromium.html'), 'stand-in')
  return dir
}

async function packLinuxDir(projectDir: string, outputDir: string, config: Configuration): Promise<string> {
  await build({
    projectDir,
    targets: Platform.LINUX.createTarget('dir', Arch.x64),
    publish: 'never',
    config: { ...config, directories: { ...config.directories, output: outputDir } },
  })
  return join(outputDir, 'linux-unpacked')
}

describe('the desktop package (electron-builder, Linux dir target)', () => {
  let project: ProjectCopy
  let work: string
  let asar: string
  let files: string[]

  beforeAll(async () => {
    project = copyProject({ hardlinkModules: true })
    work = mkdtempSync(join(tmpdir(), 'headcount-packaging-'))
    // `npm run build`: the three electron-vite builds and the CLI bundle, which the asar must leave out.
    const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: project.root, encoding: 'utf8' })
    expect(built.status, built.stderr).toBe(0)
    expect(existsSync(join(project.root, 'out', 'cli', 'main.js'))).toBe(true)
    // Fuses are flipped in the Electron binary's bytes (a sentinel the stand-in doesn't have): that step
    // is left out here and checked against the real binary in the test below, where it exists.
    const { electronFuses: _fuses, ...withoutFuses } = builderConfig
    const appDir = await packLinuxDir(project.root, join(work, 'dist'), {
      ...withoutFuses,
      electronDist: standInElectron(join(work, 'electron-dist')),
    })
    asar = join(appDir, 'resources', 'app.asar')
    files = listPackage(asar, { isPack: false })
      .map((path) =>
        path
          .replace(/^[/\\]/, '')
          .split(sep)
          .join('/'),
      )
      .filter((path) => !('files' in statFile(asar, path)))
      .sort()
  }, 180_000)

  afterAll(() => {
    project?.remove()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('holds every built file of out/ except the CLI bundle, and the window icon', () => {
    const built = ['main', 'preload', 'renderer'].flatMap((part) =>
      filesUnder(join(project.root, 'out', part)).map((file) => `out/${part}/${file}`),
    )
    expect(built.length).toBeGreaterThan(3)
    for (const file of [...built, 'package.json', 'resources/icon.png']) expect(files).toContain(file)
    expect(files.filter((file) => file.startsWith('out/cli/'))).toEqual([])
  })

  it('holds exactly the runtime dependencies, and nothing outside out/, them, package.json and the icon', () => {
    const production = productionPackages()
    expect(production).toEqual(expect.arrayContaining(['pusher', 'pusher-js', 'ws', 'zod']))
    const inAsar = new Set(
      files
        .filter((file) => file.startsWith('node_modules/'))
        .map((file) => {
          const parts = file.split('/')
          return parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : (parts[1] as string)
        }),
    )
    expect([...inAsar].sort()).toEqual(production)
    for (const name of production) expect(files).toContain(`node_modules/${name}/package.json`)
    const stray = files.filter(
      (file) =>
        !file.startsWith('out/main/') &&
        !file.startsWith('out/preload/') &&
        !file.startsWith('out/renderer/') &&
        !file.startsWith('node_modules/') &&
        file !== 'package.json' &&
        file !== 'resources/icon.png',
    )
    expect(stray).toEqual([])
  })

  it('holds no sources, tests, source maps or dev dependencies', () => {
    expect(files.filter((file) => /\.(ts|mts|cts|tsx|map)$/.test(file))).toEqual([])
    expect(files.filter((file) => /(^|\/)(src|spec|test|tests|__tests__)\//.test(file))).toEqual([])
    for (const name of DEV_ONLY) expect(files.filter((file) => file.startsWith(`node_modules/${name}/`))).toEqual([])
  })

  it('lets out/main load every package it imports at run time from the archive alone', () => {
    // index.js and the chunks it loads (the app is imported once V8's young generation is held: src/main/index.ts).
    const mainDir = join(project.root, 'out', 'main')
    const bundles = readdirSync(mainDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'))
    expect(bundles).toContain('index.js')
    const imports = [...new Set(bundles.flatMap((file) => bareImports(join(mainDir, file))))]
      .filter((name) => name !== 'electron')
      .sort()
    // electron-store is bundled into main; the runtime dependencies stay imports.
    expect(imports).toEqual(['pusher', 'pusher-js', 'recheck', 'undici', 'ws', 'zod'])
    const extracted = join(work, 'extracted')
    extractAll(asar, extracted)
    const probe = join(extracted, 'out', 'main', 'load-probe.mjs')
    writeFileSync(
      probe,
      imports.map((name) => `await import(${JSON.stringify(name)})\n`).join('') +
        // Without its agents (left out above), recheck must still analyse, in its worker thread.
        `const { check } = await import('recheck')\n` +
        `const verdict = await check('^(a+)+$', '', { timeout: 20000 })\n` +
        `if (verdict.status !== 'vulnerable') throw new Error('recheck said ' + verdict.status)\n`,
    )
    const loaded = spawnSync(process.execPath, [probe], { cwd: tmpdir(), encoding: 'utf8' })
    expect(loaded.stderr).toBe('')
    expect(loaded.status).toBe(0)
  })

  const realElectron = join(PROJECT_ROOT, 'node_modules', 'electron', 'dist')
  it.skipIf(!existsSync(join(realElectron, 'electron')))(
    "flips Electron's fuses as the security checklist recommends (needs Electron's real binary, which can't be downloaded here)",
    async () => {
      const appDir = await packLinuxDir(project.root, join(work, 'dist-real'), {
        ...builderConfig,
        electronDist: realElectron,
      })
      const wire = await getCurrentFuseWire(join(appDir, 'headcount'))
      expect(wire[FuseV1Options.RunAsNode]).toBe(FUSE_OFF)
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FUSE_ON)
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FUSE_OFF)
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FUSE_OFF)
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FUSE_ON)
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FUSE_ON)
    },
    180_000,
  )
})

describe('the packaging configuration', () => {
  it('asks for the fuses the security checklist recommends', () => {
    expect(builderConfig.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
    expect(builderConfig.asar).toBe(true)
  })

  it('builds AppImage and deb, nsis and dmg installers, each with its committed icon', () => {
    expect(builderConfig.linux?.target).toEqual(['AppImage', 'deb'])
    expect(builderConfig.win?.target).toEqual(['nsis'])
    expect(builderConfig.mac?.target).toEqual(['dmg'])
    for (const icon of [builderConfig.linux?.icon, builderConfig.win?.icon, builderConfig.mac?.icon])
      expect(existsSync(join(PROJECT_ROOT, icon as string)), icon as string).toBe(true)
  })
})

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
  return [png.readUInt32BE(16), png.readUInt32BE(20)]
}

describe('the committed icons (scripts/make-icons.ts)', () => {
  const resources = join(PROJECT_ROOT, 'resources')

  it('give Linux a set of square PNGs up to 1024 px', () => {
    const sizes = readdirSync(join(resources, 'icons')).map((name) => {
      const [width, height] = pngSize(readFileSync(join(resources, 'icons', name)))
      expect(name).toBe(`${width}x${height}.png`)
      return width
    })
    expect(sizes.sort((a, b) => a - b)).toEqual([16, 24, 32, 48, 64, 128, 256, 512, 1024])
  })

  it('give Windows an ICO whose entries are what its directory says', () => {
    const ico = readFileSync(join(resources, 'icon.ico'))
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1])
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, index) => {
      const entry = 6 + 16 * index
      const size = ico.readUInt8(entry) || 256
      const data = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      )
      if (size === 256) expect(pngSize(data)).toEqual([256, 256])
      else expect([data.readUInt32LE(0), data.readInt32LE(4), data.readInt32LE(8)]).toEqual([40, size, size * 2])
      return size
    })
    expect(sizes).toEqual([16, 24, 32, 48, 64, 256])
  })

  it('give macOS an ICNS with PNGs from 16 to 1024 px', () => {
    const icns = readFileSync(join(resources, 'icon.icns'))
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const entries: Record<string, number> = {}
    for (let offset = 8; offset < icns.length; offset += icns.readUInt32BE(offset + 4)) {
      const type = icns.subarray(offset, offset + 4).toString('latin1')
      entries[type] = pngSize(icns.subarray(offset + 8, offset + icns.readUInt32BE(offset + 4)))[0]
    }
    expect(entries).toEqual({
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
      ic11: 32,
      ic12: 64,
      ic13: 256,
      ic14: 512,
    })
  })
})
