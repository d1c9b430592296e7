import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..')

/** What building, packing and running Headcount reads from a checkout. */
const PROJECT_ENTRIES = [
  'package.json',
  'package-lock.json',
  'README.md',
  'bin',
  'src',
  'resources',
  'electron.vite.config.ts',
  'vite.cli.config.ts',
  'electron-builder.config.ts',
  'tsconfig.base.json',
  'tsconfig.lib.json',
]

export interface ProjectCopy {
  root: string
  remove(): void
}

/**
 * A copy of the checkout in a temp folder, with node_modules linked to the real one (entry by entry,
 * leaving out `omit`), so tests that build or pack never write into the project's own out/ while
 * other tests read it.
 */
export function copyProject(options: { omitModules?: string[]; hardlinkModules?: boolean } = {}): ProjectCopy {
  const root = mkdtempSync(join(tmpdir(), 'headcount-project-'))
  for (const entry of PROJECT_ENTRIES) cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true })
  const omit = new Set(options.omitModules ?? [])
  if (options.hardlinkModules) {
    // A real folder (hard links, so no copy of the bytes): `npm ls`, which electron-builder asks for the
    // dependency tree, misreads a node_modules that is a link to another project's.
    const linked = spawnSync('cp', ['-al', join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules')])
    if (linked.status !== 0) throw new Error(`cp -al node_modules failed: ${String(linked.stderr)}`)
  } else if (omit.size === 0) {
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir')
  } else {
    mkdirSync(join(root, 'node_modules'))
    for (const entry of readdirSync(join(PROJECT_ROOT, 'node_modules'))) {
      if (!omit.has(entry)) symlinkSync(join(PROJECT_ROOT, 'node_modules', entry), join(root, 'node_modules', entry))
    }
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}
