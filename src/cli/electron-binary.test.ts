import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findElectronBinary } from './electron-binary.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'headcount-electron-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function installPackage(pathTxt?: string, withBinary = false) {
  const dir = join(root, 'node_modules', 'electron')
  mkdirSync(join(dir, 'dist'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{}')
  if (pathTxt) writeFileSync(join(dir, 'path.txt'), pathTxt)
  if (withBinary && pathTxt) writeFileSync(join(dir, 'dist', pathTxt), '')
}

describe('findElectronBinary', () => {
  it('explains a missing package, a binary never downloaded and a binary removed', () => {
    expect(findElectronBinary({}, root)).toMatchObject({ available: false, reason: /not installed/ })
    installPackage()
    expect(findElectronBinary({}, root)).toMatchObject({ available: false, reason: /never downloaded/ })
    installPackage('electron')
    expect(findElectronBinary({}, root)).toMatchObject({ available: false, reason: /missing/ })
  })

  it('finds the downloaded binary, or one given through ELECTRON_OVERRIDE_DIST_PATH', () => {
    installPackage('electron', true)
    expect(findElectronBinary({}, root)).toEqual({
      available: true,
      path: join(root, 'node_modules', 'electron', 'dist', 'electron'),
    })
    const override = join(root, 'custom')
    mkdirSync(override)
    writeFileSync(join(override, 'electron'), '')
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: override }, root)).toEqual({
      available: true,
      path: join(override, 'electron'),
    })
  })
})
