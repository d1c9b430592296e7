import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from './package-info.ts'

export type ElectronBinary = { available: true; path: string } | { available: false; reason: string }

/**
 * Finds the Electron executable without importing the `electron` package: its first import tries to
 * download the binary, which cannot work on machines without internet access.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, root = PACKAGE_ROOT): ElectronBinary {
  const packageDir = join(root, 'node_modules', 'electron')
  if (!existsSync(join(packageDir, 'package.json'))) {
    return { available: false, reason: 'the electron package is not installed (run npm install)' }
  }
  const pathFile = join(packageDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist')
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = join(distDir, relative ?? 'electron')
    if (existsSync(candidate)) return { available: true, path: candidate }
  }
  if (!relative) {
    return {
      available: false,
      reason: "Electron's binary was never downloaded (no internet access during npm install?)",
    }
  }
  const executable = join(distDir, relative)
  if (!existsSync(executable)) return { available: false, reason: `Electron's binary is missing (${executable})` }
  return { available: true, path: executable }
}
